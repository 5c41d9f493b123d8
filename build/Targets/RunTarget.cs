using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>
/// ./build.sh --target Run: the built Nutshell without VirtualBox, as `mkosi qemu` runs its images. Boots it
/// (<see cref="NutshellMachine"/>: KVM when usable, else TCG) on a throw-away overlay, says how to reach SSH, the
/// director and the frontend through loopback forwards, and on Ctrl-C powers it off from inside before returning.
/// </summary>
internal static class RunTarget
{
    public static IReadOnlyList<HostTool> HostTools => NutshellMachine.HostTools;

    public static async Task RunAsync(BuildContext context)
    {
        await using var machine = await NutshellMachine.StartAsync(context, "run");
        try
        {
            var toLogin = await machine.WaitForLoginPromptAsync();
            BuildContext.Log($"""
                  The Nutshell is up ({machine.Accelerator.ToUpperInvariant()}, login prompt after {toLogin.TotalSeconds:0} s; its changes are thrown away when it stops):
                    ssh -p {machine.SshPort} {NutshellMachine.User}@127.0.0.1        (password {NutshellMachine.Password}; cps-tools is set up for {NutshellMachine.User})
                    director: https://127.0.0.1:{machine.DirectorPort}         (192.168.56.2:5555 inside; its certificate names 127.0.0.1)
                    frontend: https://127.0.0.1:{machine.FrontendPort}         (192.168.56.2:443 inside)
                    cps-tools from here: director_url = https://127.0.0.1:{machine.DirectorPort} in a cps-tools.conf of your own
                  Ctrl-C powers it off.
                """);
            await machine.Ended.WaitAsync(context.CancellationToken);
            BuildContext.Log("  the machine powered itself off");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            BuildContext.Log("  Ctrl-C: powering the Nutshell off...");
            await machine.PowerOffAsync();
            BuildContext.Log($"  powered off after {machine.Uptime.TotalSeconds:0.0}s");
        }
    }
}
