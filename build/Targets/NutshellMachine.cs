using System.Diagnostics;
using System.Formats.Tar;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The built .ova's disk booted the way VirtualBox would (SeaBIOS, an AHCI disk, two e1000 NICs), with nothing handed
/// in from outside (no kernel, no initrd), on a copy-on-write overlay so the .ova is never changed. The NAT NIC
/// forwards SSH; the host-only network is VirtualBox's (the host at 192.168.56.1) and forwards the director
/// (192.168.56.2:5555), the first agent's address and, for the frontend, port 443, all on loopback only. KVM is tried
/// first and used when it works; otherwise TCG. Disposing stops QEMU and removes the overlay. The Pis' backend VM
/// boots the same way (<see cref="Appliance"/>), its second NIC on a network shared with an emulated Pi.
/// </summary>
internal sealed class NutshellMachine : IAsyncDisposable
{
    public const string User = "stack", Password = "contrail";

    /// <summary>
    /// Which .ova, its host name and stack's password, and its second NIC's QEMU arguments (given the machine, for its
    /// forwarded ports). A restricted NAT lets nothing out of this machine's namespace but the forwards.
    /// </summary>
    public sealed record Appliance(string Ova, string Hostname, string StackPassword, bool NatRestricted, Func<NutshellMachine, string[]> SecondNic);

    /// <summary>The Nutshell: the host-only network as VirtualBox makes it (the host at .1), reached from here only
    /// through forwards.</summary>
    public static readonly Appliance Nutshell = new("ConPaaS-Nutshell.ova", "nutshell", Password, NatRestricted: false, machine =>
    [
        "-netdev", $"user,id=hostonly,net=192.168.56.0/24,host=192.168.56.1,restrict=on," +
            $"hostfwd=tcp:127.0.0.1:{machine.DirectorPort}-192.168.56.2:5555,hostfwd=tcp:127.0.0.1:{machine.FrontendPort}-192.168.56.2:443," +
            $"hostfwd=tcp:127.0.0.1:{machine.AgentPort}-{NutshellSession.FirstAgentAddress}:5555",
        "-device", "e1000,netdev=hostonly",
    ]);

    /// <summary>The prefix that runs a remote command as root: stack's sudo, given its password on stdin.</summary>
    public const string Sudo = $"echo {Password} | sudo -S -p ''";

    public static readonly HostTool QemuSystem = new("qemu-system-x86_64", "qemu-system-x86") { MinimumVersion = SharedTools.QemuMinimumVersion };

    /// <summary>sshpass types the password for ssh.</summary>
    public static readonly HostTool Sshpass = new("sshpass", "sshpass");

    public static readonly HostTool Ssh = new("ssh", "openssh-client");

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.QemuImg, QemuSystem, Sshpass, Ssh];

    private static readonly TimeSpan LoginTimeout = TimeSpan.FromMinutes(4);

    private readonly BuildContext _context;
    private readonly string _work;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private Task<CommandResult>? _qemu;

    public int SshPort { get; } = ConPaaS.Common.LoopbackPort.FindFree();
    public int DirectorPort { get; } = ConPaaS.Common.LoopbackPort.FindFree();
    public int AgentPort { get; } = ConPaaS.Common.LoopbackPort.FindFree();
    public int FrontendPort { get; } = ConPaaS.Common.LoopbackPort.FindFree();

    public string Accelerator { get; private set; } = "";

    /// <summary>Since power-on.</summary>
    public TimeSpan Uptime => _clock.Elapsed;

    public string WorkDirectory => _work;

    private string Serial => Path.Combine(_work, "serial.log");

    private Task<CommandResult> Qemu => _qemu ?? throw new InvalidOperationException("the machine has not started");

    private readonly Appliance _appliance;

    /// <summary>The prefix that runs a remote command as root: stack's sudo, given its password on stdin.</summary>
    public string SudoPrefix => $"echo {_appliance.StackPassword} | sudo -S -p ''";

    private NutshellMachine(BuildContext context, string work, Appliance appliance) => (_context, _work, _appliance) = (context, work, appliance);

    public static async Task<NutshellMachine> StartAsync(BuildContext context, string name, Appliance? appliance = null)
    {
        var machine = new NutshellMachine(context, context.WorkDirectory(name), appliance ?? Nutshell);
        try
        {
            await machine.PowerOnAsync();
            return machine;
        }
        catch
        {
            await machine.DisposeAsync();
            throw;
        }
    }

    private async Task PowerOnAsync()
    {
        var vmdk = ExtractDisk(Path.Combine(_context.Images, _appliance.Ova), _work);
        var overlay = Path.Combine(_work, "overlay.qcow2");
        await _context.RunAsync(SharedTools.QemuImg.Command("create", "-q", "-f", "qcow2", "-F", "vmdk", "-b", vmdk, overlay));
        foreach (var candidate in KvmUsable() ? new[] { "kvm", "tcg" } : ["tcg"])
        {
            Accelerator = candidate;
            File.Delete(Serial);
            var machine = Machine(candidate, overlay);
            BuildContext.Log($"  $ {machine}");
            _clock.Restart();
            _qemu = machine.RunAsync(_stop.Token, allowFailure: true);
            // KVM can be present and still fail (nested virtualization): QEMU then dies at once; fall back to TCG.
            if (candidate == "kvm" && await Task.WhenAny(_qemu, Task.Delay(5000, _context.CancellationToken)) == _qemu)
            {
                BuildContext.Log($"  KVM is not usable here ({(await _qemu).StandardError.Trim().Split('\n')[0]}); using TCG");
                continue;
            }
            break;
        }
    }

    /// <summary>Waits for the login prompt on the serial console; returns the time since power-on.</summary>
    public async Task<TimeSpan> WaitForLoginPromptAsync()
    {
        while (!(File.Exists(Serial) && File.ReadAllText(Serial).Contains($"{_appliance.Hostname} login:")))
        {
            if (Qemu.IsCompleted) throw new BuildException($"QEMU exited before the login prompt:\n{(await Qemu).StandardError}\n{Tail()}");
            if (_clock.Elapsed > LoginTimeout) throw new BuildException($"no login prompt within {LoginTimeout.TotalSeconds:0} s; the console ends with:\n{Tail()}");
            await Task.Delay(250, _context.CancellationToken);
        }
        return _clock.Elapsed;
    }

    /// <summary>Runs a command as stack over SSH, trying again while ssh itself fails (exit 255) until the timeout;
    /// the command's own failure is returned with <paramref name="allowFailure"/>, else thrown at once.</summary>
    public async Task<CommandResult> SshAsync(string remoteCommand, TimeSpan timeout, bool allowFailure, CancellationToken? cancellationToken = null)
    {
        var token = cancellationToken ?? _context.CancellationToken;
        var ssh = Sshpass.Command("-e", Ssh.Name, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", SshPort.ToString(), $"{User}@127.0.0.1", remoteCommand)
            .WithEnvironment("SSHPASS", _appliance.StackPassword)
            .Contained();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var result = await ssh.RunAsync(token, allowFailure: true);
            // 255 is ssh's own failure (no sshd yet, a dropped connection), tried again; any other exit is the
            // command's, so a command that ran and failed is not run again (unless it exits 255 itself).
            if (result.Succeeded) return result;
            if (result.ExitCode != 255)
                return allowFailure ? result : throw new BuildException($"'{remoteCommand}' failed (exit {result.ExitCode}):\n{(result.StandardOutput + result.StandardError).Trim()}");
            if (Qemu.IsCompleted) return allowFailure ? result : throw new BuildException($"the machine stopped before SSH answered:\n{(await Qemu).StandardError}");
            if (deadline.Elapsed > timeout) throw new BuildException($"no SSH login within {timeout.TotalSeconds:0} s: {result.StandardError.Trim()}");
            await Task.Delay(2000, token);
        }
    }

    /// <summary>Shuts the machine down from inside (systemctl poweroff) and waits for QEMU to end; works after the
    /// build was interrupted, which is when Run needs it.</summary>
    public async Task PowerOffAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await SshAsync($"{SudoPrefix} systemctl poweroff", TimeSpan.FromSeconds(60), allowFailure: true, patience.Token);
        if (await Task.WhenAny(Qemu, Task.Delay(TimeSpan.FromSeconds(90), CancellationToken.None)) != Qemu)
            throw new BuildException("the machine did not power off within 90 s");
    }

    /// <summary>
    /// Powers the machine off from inside and on again from the same disk, as a VirtualBox user restarts it. Not an
    /// in-guest reboot: under TCG a warm reset once left the rebooted kernel in soft lockups (systemd-journal stuck on
    /// a CPU for minutes), where two other runs came back.
    /// </summary>
    public async Task PowerCycleAsync()
    {
        await PowerOffAsync();
        File.Delete(Serial);
        var machine = Machine(Accelerator, Path.Combine(_work, "overlay.qcow2"));
        BuildContext.Log($"  $ {machine}");
        _clock.Restart();
        _qemu = machine.RunAsync(_stop.Token, allowFailure: true);
    }

    /// <summary>QEMU ended by itself (powered off from inside, or failed).</summary>
    public Task<CommandResult> Ended => Qemu;

    /// <summary>The .ova's disk, taken out of the archive as VirtualBox would import it.</summary>
    private static string ExtractDisk(string ova, string work)
    {
        if (!File.Exists(ova)) throw new BuildException($"{ova} does not exist; build it first (./build.sh --help lists the targets)");
        using var reader = new TarReader(File.OpenRead(ova));
        while (reader.GetNextEntry() is { } entry)
        {
            if (!entry.Name.EndsWith(".vmdk", StringComparison.Ordinal) || entry.Name.Contains('/')) continue;
            var path = Path.Combine(work, entry.Name);
            entry.ExtractToFile(path, overwrite: true);
            return path;
        }
        throw new BuildException($"{ova} holds no .vmdk disk");
    }

    private string Tail() => File.Exists(Serial) ? string.Join('\n', File.ReadAllLines(Serial).TakeLast(25)) : "(no console output)";

    /// <summary>
    /// VirtualBox-like hardware (see the class). Under TCG the CPU is the baseline qemu64: every feature of "max" is
    /// emulated at a cost (about 4 s of a boot).
    /// </summary>
    private Command Machine(string accelerator, string disk) => QemuSystem.Command([
            "-accel", accelerator, "-machine", "pc", "-cpu", accelerator == "kvm" ? "host" : "qemu64", "-smp", "2", "-m", "4096",
            "-nodefaults", "-display", "none", "-serial", $"file:{Serial}",
            "-device", "ich9-ahci,id=sata",
            "-drive", $"if=none,id=disk0,file={disk},format=qcow2",
            "-device", "ide-hd,drive=disk0,bus=sata.0,bootindex=0",
            "-netdev", $"user,id=nat,{(_appliance.NatRestricted ? "restrict=on," : "")}hostfwd=tcp:127.0.0.1:{SshPort}-:22", "-device", "e1000,netdev=nat",
            .. _appliance.SecondNic(this)])
        .Contained();

    private static bool KvmUsable()
    {
        try
        {
            using var kvm = File.Open("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_qemu is not null) await Task.WhenAny(_qemu, Task.Delay(10_000));
        _stop.Dispose();
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }
}
