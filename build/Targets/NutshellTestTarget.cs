using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Boots the built .ova's disk as VirtualBox would (<see cref="NutshellMachine"/>), waits for the login prompt on the
/// serial console, logs in over SSH as stack/contrail through a forwarded loopback port, checks the machine's name,
/// address and sudo, runs the seeds' ConPaaS session (<see cref="NutshellSession"/>), the driver conformance cases
/// against the libvirt driver (<see cref="NutshellConformance"/>), powers it off and on with an
/// application running, and powers it off.
/// </summary>
internal static class NutshellTestTarget
{
    public static IReadOnlyList<HostTool> HostTools => [.. NutshellMachine.HostTools, NutshellSession.Curl, ConPaaS.Builder.Stages.CustomizeStage.Openssl];

    public static async Task RunAsync(BuildContext context)
    {
        await using var machine = await NutshellMachine.StartAsync(context, "boottest");
        var toLogin = await machine.WaitForLoginPromptAsync();
        BuildContext.Log($"  login prompt on ttyS0 after {toLogin.TotalSeconds:0.0}s");

        // systemd-networkd may still be configuring br0 (the bridge on eth1) when the prompt appears (seen once in a
        // full CI run at a 19.7 s boot), so the check asks again for a few seconds before it judges.
        var output = "";
        for (var asked = System.Diagnostics.Stopwatch.StartNew(); asked.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(1000, context.CancellationToken))
        {
            output = (await machine.SshAsync("hostname; ip -4 -o addr show dev br0; cat /etc/conpaas-release; " +
                $"{NutshellMachine.Sudo} id -u", TimeSpan.FromMinutes(2), allowFailure: false)).StandardOutput;
            if (output.Contains("inet 192.168.56.2/24")) break;
        }
        foreach (var expected in new[] { "nutshell", "inet 192.168.56.2/24", "NAME=\"ConPaaS Nutshell\"" })
            if (!output.Contains(expected)) throw new BuildException($"boot test: the command's output lacks '{expected}':\n{output}");
        if (!output.TrimEnd().EndsWith('0')) throw new BuildException($"boot test: sudo as {NutshellMachine.User} did not give root:\n{output}");
        BuildContext.Log($"  ssh {NutshellMachine.User}@127.0.0.1:{machine.SshPort} ran the command:\n    " + output.TrimEnd().Replace("\n", "\n    "));

        Func<string, Task<ConPaaS.Processes.CommandResult>> ssh = command => machine.SshAsync(command, TimeSpan.FromMinutes(3), allowFailure: true);
        await NutshellSession.RunAsync(machine, ssh);

        await machine.PowerOffAsync();
        BuildContext.Log($"  powered off after {machine.Uptime.TotalSeconds:0.0}s");
        BuildContext.Log($"BOOT power-on to login prompt: {toLogin.TotalSeconds:0.0} s ({machine.Accelerator.ToUpperInvariant()})");
    }
}
