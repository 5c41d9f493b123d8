using System.Diagnostics;
using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>
/// ConPaaS on Raspberry Pi as the seeds set it up, two machines on a network of their own: the backend VM (x86-64,
/// the .ova's disk as in <see cref="NutshellMachine"/>) and a Pi, the SD card image written with bmaptool and booted
/// as the disk of an emulated arm64 machine with a network card (<c>-M virt</c>: no emulated Pi model has one), its
/// kernel, initrd and command line from the card's own firmware partition. The backend's second NIC and the Pi's
/// are joined by a QEMU socket network on loopback; the backend's NAT is restricted, so nothing leaves this machine.
/// The Pi starts with its clock in 2020, as a Pi without battery or internet does. Steps, each timed: both boot, the
/// backend's first boot makes its key, the Pi joins with the one command the backend prints, the Pi's clock is set
/// from the backend, the backend's director reaches the Pi's libvirtd over lxc+ssh:// with that key (cpsdirector
/// check), and the seeds' usage example runs its manager and its generic agent in containers on the Pi.
/// </summary>
internal static class RpiClusterTestTarget
{
    public const string BackendOva = "ConPaaS-RPi-Backend.ova";

    public static IReadOnlyList<HostTool> HostTools => [.. RpiTestTarget.HostTools, .. NutshellMachine.HostTools];

    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(6), StepTimeout = TimeSpan.FromMinutes(4);

    public static async Task RunAsync(BuildContext context)
    {
        var work = context.WorkDirectory("rpicluster");
        var clock = Stopwatch.StartNew();
        void Step(string what) => BuildContext.Log($"CLUSTER {clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        try
        {
            var card = Path.Combine(work, "card.img");
            await RpiTestTarget.WriteCardAsync(context, card);
            var table = await RpiTestTarget.ReadTableAsync(context, card);
            var boot = await RpiTestTarget.FirmwareFilesAsync(context, work, card, table[0].Start);
            var network = ConPaaS.Common.LoopbackPort.FindFree();

            // The backend listens on the Pis' network first: the Pi's QEMU connects to it.
            var backendAppliance = new NutshellMachine.Appliance(BackendOva, "backend", "raspberry", NatRestricted: true, _ =>
                ["-netdev", $"socket,id=pis,listen=127.0.0.1:{network}", "-device", "e1000,netdev=pis"]);
            await using var backend = await NutshellMachine.StartAsync(context, "rpicluster-backend", backendAppliance);
            await using var pi = await EmulatedPi.StartVirtAsync(context, work, card, boot, network);
            Func<string, Task<string>> onBackend = async command => (await backend.SshAsync(command, StepTimeout, allowFailure: false)).StandardOutput.Trim();

            await backend.WaitForLoginPromptAsync();
            Step("backend: login prompt");
            await pi.LogInAsync(BootTimeout);
            Step("Pi (-M virt, TCG): logged in as pi on the serial console");

            // (As root: the director's state is root's alone, and an unprivileged systemctl has no D-Bus here.)
            var join = await onBackend($"{backend.SudoPrefix} sh -c 'timeout 240 sh -c \"until [ -e /var/lib/cpsdirector/firstboot-done ]; do sleep 2; done\" && conpaas-join-command'");
            if (!join.StartsWith("sudo conpaas-join 172.16.0.1 'ssh-ed25519 ", StringComparison.Ordinal))
                throw new BuildException($"the backend's conpaas-join-command printed '{join}', not 'sudo conpaas-join 172.16.0.1 'ssh-ed25519 ...''");
            Step($"backend: first boot done; it prints: {join[..Math.Min(join.Length, 60)]}...");

            var joined = await pi.RunAsync($"echo raspberry | sudo -S -p '' {join["sudo ".Length..]}", StepTimeout);
            if (!joined.Contains("now takes containers from the backend at 172.16.0.1")) throw new BuildException($"conpaas-join on the Pi answered:\n{joined}");
            Step("Pi: joined (conpaas-join with the backend's key)");

            string time;
            try
            {
                time = await pi.RunAsync("timeout 180 sh -c 'until [ \"$(timedatectl show -p NTPSynchronized --value)\" = yes ]; do sleep 2; done' || " +
                    "{ timedatectl timesync-status; echo raspberry | sudo -S -p '' journalctl --no-pager -u systemd-timesyncd | tail -n 20; false; } && " +
                    "timedatectl show-timesync -p ServerAddress --value && date -u +%s", StepTimeout);
            }
            catch (BuildException failure)
            {
                var chrony = await backend.SshAsync($"{backend.SudoPrefix} sh -c 'chronyc tracking; chronyc sources; chronyc clients'", StepTimeout, allowFailure: true);
                throw new BuildException($"the Pi's clock step failed: {failure.Message}\nthe backend's chrony:\n{chrony.StandardOutput.Trim()}");
            }
            var lines = time.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (lines.Length < 2 || lines[^2] != "172.16.0.1") throw new BuildException($"the Pi's clock was not set from the backend (172.16.0.1): timedatectl says\n{time}");
            var skew = long.Parse(lines[^1], System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (Math.Abs(skew) > 30) throw new BuildException($"the Pi's clock is {skew} s off after synchronising with the backend");
            Step($"Pi: clock set from the backend's time server, {skew:+0;-0;0} s off this machine's (its real-time clock started in 2020)");

            var check = (await backend.SshAsync($"{backend.SudoPrefix} /usr/local/lib/conpaas/cpsdirector check --config /etc/cpsdirector/director.cfg",
                StepTimeout, allowFailure: true)).StandardOutput;
            foreach (var failure in new[] { "LIBVIRT_URI", "LIBVIRT_BRIDGE" })
                if (check.Contains(failure)) throw new BuildException($"the backend's director does not reach the Pi's libvirtd over lxc+ssh:// ({failure}):\n{check}");
            Step("backend: cpsdirector check reached the Pi's libvirtd over lxc+ssh://root@172.16.0.11/ and its node host:\n    " +
                 check.Trim().Replace("\n", "\n    "));

            try
            {
                await UsageExampleAsync(onBackend, Step);
            }
            catch (BuildException failure)
            {
                var journal = await backend.SshAsync($"{backend.SudoPrefix} journalctl --no-pager -o cat -u cpsdirector | tail -n 30", StepTimeout, allowFailure: true);
                var containers = await pi.RunAsync("echo raspberry | sudo -S -p '' sh -c 'virsh -c lxc:/// list --all; ls /var/lib/conpaas/nodes; " +
                    "for n in /var/lib/conpaas/nodes/*/upper/var/log/journal; do [ -d \"$n\" ] && journalctl -D \"$n\" --no-pager -o cat -u cpsnode | tail -n 20; done' || true", StepTimeout);
                throw new BuildException($"{failure.Message}\nthe backend's director's journal ends with:\n{journal.StandardOutput.TrimEnd()}\non the Pi:\n{containers}");
            }

            // Where application start's time went: the image's way to the Pi, told by the director's journal (the
            // two lines LibvirtDriver.EnsureBaseAsync logs, both naming the 'container image').
            var install = await onBackend($"{backend.SudoPrefix} journalctl --no-pager -o short-precise -u cpsdirector | grep 'container image' || true");
            Step("backend: the director's journal on the container image:\n    " + install.Replace("\n", "\n    "));

            await pi.PowerOffAsync();
            await backend.PowerOffAsync();
            Step("both powered off");
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The seeds' usage example ("ConPaaS on Raspberry PI", steps 4-10) as stack on the backend: an application whose
    /// manager, then a generic service whose agent, start in containers on the Pi; the agent at an address of the
    /// pool, its default init.sh having run there.
    /// </summary>
    private static async Task UsageExampleAsync(Func<string, Task<string>> onBackend, Action<string> step)
    {
        async Task<string> Expect(string command, string expected)
        {
            var output = await onBackend(command);
            if (!output.Contains(expected, StringComparison.Ordinal)) throw new BuildException($"'{command}' answered:\n{output}\nexpected '{expected}'");
            step($"backend: {command}");
            return output;
        }
        await Expect("cps-tools application create \"Test application\"", "Application 'Test application' created with id 1.");
        await Expect("cps-tools application start 1", "done.");
        await Expect("cps-tools service add generic 1", "successfully added to application 1 with id 1.");
        await Expect("cps-tools service start 1 1", "Service 1 is starting... done.");
        var nodes = await Expect("cps-tools generic list_nodes 1 1", " master 172.16.0.2");
        var agent = nodes.Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        var log = await Expect($"cps-tools generic get_agent_log 1 1 {agent} -f agent.out", "Executing script init.sh");
        if (!System.Text.RegularExpressions.Regex.IsMatch(log, @"My IP is 172\.16\.0\.2(2[5-9]|[3-4][0-9]|5[0-4])\b"))
            throw new BuildException($"init.sh on the Pi did not report an address of the pool 172.16.0.225-254:\n{log}");
        await Expect("cps-tools service remove 1 1", "has been successfully removed.");
        await Expect("cps-tools application stop 1", "");
    }
}
