using ConPaaS.Builder;
using ConPaaS.Processes;
using ConPaaS.Testing;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The driver conformance cases (<see cref="DriverConformance"/>) against the libvirt driver inside the booted
/// Nutshell, as stack over SSH: nodes are LXC containers named nutshell-VMID, killed from outside with
/// <c>virsh destroy</c>, and they outlive a restart of the director.
/// </summary>
internal sealed class NutshellConformance(Func<string, Task<CommandResult>> ssh) : DriverConformance
{
    private const string Sudo = NutshellMachine.Sudo;

    protected override Task<CommandResult> CpsToolsAsync(params string[] arguments) =>
        ssh("cps-tools " + string.Join(' ', arguments.Select(a => $"'{a.Replace("'", "'\\''")}'")));

    protected override async Task KillNodeAsync(string vmid)
    {
        var destroyed = await ssh($"{Sudo} virsh -c lxc:/// destroy nutshell-{vmid}");
        if (!destroyed.Succeeded) throw new ConformanceException($"virsh destroy nutshell-{vmid}: {destroyed.StandardError.Trim()}");
    }

    protected override async Task<bool> IsNodeRunningAsync(string vmid) =>
        (await ssh($"{Sudo} virsh -c lxc:/// domstate nutshell-{vmid} 2>/dev/null")).StandardOutput.Trim() == "running";

    /// <summary>
    /// The filesystem mounted at /volumes/NAME in the container, by the Nutshell's findmnt reading the mount table of
    /// the container's init (the child of libvirt's controller, whose pid is the domain's id). virsh
    /// lxc-enter-namespace cannot run it: joining the container's cgroup fails under cgroup v2.
    /// </summary>
    protected override async Task<string> VolumeSeenByNodeAsync(string vmid, string name) =>
        (await ssh($"{Sudo} sh -c 'findmnt --task $(cat /proc/$(virsh -c lxc:/// domid nutshell-{vmid})/task/*/children) -n -o FSTYPE,SOURCE /volumes/{name}'")).StandardOutput;

    protected override async Task RestartDirectorAsync()
    {
        var restarted = await ssh($"{Sudo} systemctl restart cpsdirector");
        if (!restarted.Succeeded) throw new ConformanceException($"systemctl restart cpsdirector: {restarted.StandardError.Trim()}");
        for (var asked = System.Diagnostics.Stopwatch.StartNew(); !(await ssh("cps-tools application list")).Succeeded; await Task.Delay(1000))
            if (asked.Elapsed > TimeSpan.FromSeconds(90)) throw new ConformanceException("the director did not answer within 90 s of its restart");
    }

    /// <summary>[iaas] LIBVIRT_POOL of the Nutshell's director.cfg: 192.168.56.10-192.168.56.99.</summary>
    protected override bool InPool(string address) =>
        address.StartsWith("192.168.56.", StringComparison.Ordinal) && int.TryParse(address["192.168.56.".Length..], out var last) && last is >= 10 and <= 99;

    protected override bool NodesOutliveDirector => true;

    /// <summary>Under TCG the manager's 2 s checks and cps-tools' own start-up stretch the 10 s promise.</summary>
    protected override TimeSpan NoticeWithin => TimeSpan.FromSeconds(20);

    protected override void Log(string line) => BuildContext.Log(line);
}
