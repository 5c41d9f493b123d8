using System.Diagnostics;
using System.Formats.Tar;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Boots the disk inside the built .ova the way VirtualBox would (SeaBIOS, AHCI disk, two e1000 NICs), with nothing
/// handed in from outside: no kernel, no initrd. Waits for the login prompt on the serial console, logs in over SSH
/// as stack/contrail through a forwarded loopback port, runs a command, runs the seeds' ConPaaS session
/// (<see cref="NutshellSession"/>), and powers the machine off.
/// </summary>
internal static class BootTestTarget
{
    private static readonly TimeSpan LoginTimeout = TimeSpan.FromMinutes(4);
    private const string User = "stack", Password = "contrail";

    private static readonly HostTool QemuSystem = new("qemu-system-x86_64", "qemu-system-x86");

    /// <summary>sshpass types the password for ssh.</summary>
    private static readonly HostTool Sshpass = new("sshpass", "sshpass");

    public static readonly HostTool Ssh = new("ssh", "openssh-client");

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.QemuImg, QemuSystem, Sshpass, Ssh, NutshellSession.Curl, ConPaaS.Builder.Stages.CustomizeStage.Openssl];

    public static async Task RunAsync(BuildContext context)
    {
        var ova = Path.Combine(context.Images, "ConPaaS-Nutshell.ova");
        var work = context.WorkDirectory("boottest");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        Task<CommandResult>? qemu = null;
        try
        {
            var vmdk = ExtractDisk(ova, work);
            var overlay = Path.Combine(work, "overlay.qcow2");
            await context.RunAsync(SharedTools.QemuImg.Command("create", "-q", "-f", "qcow2", "-F", "vmdk", "-b", vmdk, overlay));

            var port = ConPaaS.Common.LoopbackPort.FindFree();
            var directorPort = ConPaaS.Common.LoopbackPort.FindFree();
            var agentPort = ConPaaS.Common.LoopbackPort.FindFree();
            var serial = Path.Combine(work, "serial.log");
            var clock = new Stopwatch();
            var accelerator = "";
            foreach (var candidate in KvmUsable() ? new[] { "kvm", "tcg" } : ["tcg"])
            {
                accelerator = candidate;
                File.Delete(serial);
                var machine = Machine(candidate, overlay, serial, port, directorPort, agentPort);
                BuildContext.Log($"  $ {machine}");
                clock.Restart();
                qemu = machine.RunAsync(stop.Token, allowFailure: true);
                // KVM can be present and still fail (nested virtualization): QEMU then dies at once; fall back to TCG.
                if (candidate == "kvm" && await Task.WhenAny(qemu, Task.Delay(5000, context.CancellationToken)) == qemu)
                {
                    BuildContext.Log($"  KVM is not usable here ({(await qemu).StandardError.Trim().Split('\n')[0]}); using TCG");
                    continue;
                }
                break;
            }

            await WaitForAsync(() => File.Exists(serial) && File.ReadAllText(serial).Contains("nutshell login:"), qemu!, LoginTimeout, "the login prompt on the serial console", serial);
            var toLogin = clock.Elapsed;
            BuildContext.Log($"  login prompt on ttyS0 after {toLogin.TotalSeconds:0.0}s");

            // systemd-networkd may still be configuring br0 (the bridge on eth1) when the prompt appears (seen once in a full CI run at a
            // 19.7 s boot), so the check asks again for a few seconds before it judges.
            var output = "";
            for (var asked = Stopwatch.StartNew(); asked.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(1000, context.CancellationToken))
            {
                output = await SshAsync(context, port, "hostname; ip -4 -o addr show dev br0; cat /etc/conpaas-release; " +
                    $"echo {Password} | sudo -S -p '' id -u", qemu!, TimeSpan.FromMinutes(2));
                if (output.Contains("inet 192.168.56.2/24")) break;
            }
            foreach (var expected in new[] { "nutshell", "inet 192.168.56.2/24", "NAME=\"ConPaaS Nutshell\"" })
                if (!output.Contains(expected)) throw new BuildException($"boot test: the command's output lacks '{expected}':\n{output}");
            if (!output.TrimEnd().EndsWith('0')) throw new BuildException($"boot test: sudo as {User} did not give root:\n{output}");
            BuildContext.Log($"  ssh {User}@127.0.0.1:{port} ran the command:\n    " + output.TrimEnd().Replace("\n", "\n    "));

            await NutshellSession.RunAsync(command => SshResultAsync(context, port, command, qemu!, TimeSpan.FromMinutes(3), allowFailure: true), directorPort, agentPort, work);

            await SshAsync(context, port, $"echo {Password} | sudo -S -p '' systemctl poweroff", qemu!, TimeSpan.FromSeconds(60), allowFailure: true);
            if (await Task.WhenAny(qemu!, Task.Delay(TimeSpan.FromSeconds(90), context.CancellationToken)) != qemu)
                throw new BuildException("boot test: the machine did not power off within 90 s");
            BuildContext.Log($"  powered off after {clock.Elapsed.TotalSeconds:0.0}s");
            BuildContext.Log($"BOOT power-on to login prompt: {toLogin.TotalSeconds:0.0} s ({accelerator.ToUpperInvariant()})");
        }
        finally
        {
            await stop.CancelAsync();
            if (qemu is not null) await Task.WhenAny(qemu, Task.Delay(10_000));
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The .ova's disk, taken out of the archive as VirtualBox would import it.</summary>
    private static string ExtractDisk(string ova, string work)
    {
        if (!File.Exists(ova)) throw new BuildException($"{ova} does not exist; build it with ./build.sh --target Nutshell");
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

    private static async Task<string> SshAsync(BuildContext context, int port, string remoteCommand, Task<CommandResult> qemu, TimeSpan timeout, bool allowFailure = false) =>
        (await SshResultAsync(context, port, remoteCommand, qemu, timeout, allowFailure)).StandardOutput;

    /// <summary>Runs a command as stack over SSH, trying again while SSH itself fails (exit 255) until the timeout; the
    /// command's own failure is returned with <paramref name="allowFailure"/>, else thrown.</summary>
    private static async Task<CommandResult> SshResultAsync(BuildContext context, int port, string remoteCommand, Task<CommandResult> qemu, TimeSpan timeout, bool allowFailure)
    {
        var ssh = Sshpass.Command("-e", Ssh.Name, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", port.ToString(), $"{User}@127.0.0.1", remoteCommand)
            .WithEnvironment("SSHPASS", Password)
            .Contained();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var result = await ssh.RunAsync(context.CancellationToken, allowFailure: true);
            if (result.Succeeded || allowFailure && result.ExitCode != 255) return result;
            if (qemu.IsCompleted) return allowFailure ? result : throw new BuildException($"boot test: the machine stopped before SSH answered:\n{(await qemu).StandardError}");
            if (deadline.Elapsed > timeout) throw new BuildException($"boot test: no SSH login within {timeout.TotalSeconds:0} s: {result.StandardError.Trim()}");
            await Task.Delay(2000, context.CancellationToken);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, Task<CommandResult> qemu, TimeSpan timeout, string what, string serial)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (qemu.IsCompleted)
                throw new BuildException($"boot test: QEMU exited before {what}:\n{(await qemu).StandardError}\n{Tail(serial)}");
            if (clock.Elapsed > timeout) throw new BuildException($"boot test: no {what} within {timeout.TotalSeconds:0} s; the console ends with:\n{Tail(serial)}");
            await Task.Delay(250);
        }
    }

    private static string Tail(string serial) =>
        File.Exists(serial) ? string.Join('\n', File.ReadAllLines(serial).TakeLast(25)) : "(no console output)";


    /// <summary>
    /// VirtualBox-like hardware: SeaBIOS, an AHCI disk, two e1000 NICs (NAT with SSH forwarded; host-only, the host at
    /// 192.168.56.1 as VirtualBox has it, with the director at 192.168.56.2:5555 and the first agent's port forwarded). Under TCG
    /// the CPU is the baseline qemu64: every feature of "max" is emulated at a cost (about 4 s of this boot).
    /// </summary>
    private static Command Machine(string accelerator, string disk, string serial, int sshPort, int directorPort, int agentPort) => QemuSystem.Command(
            "-accel", accelerator, "-machine", "pc", "-cpu", accelerator == "kvm" ? "host" : "qemu64", "-smp", "2", "-m", "4096",
            "-nodefaults", "-display", "none", "-serial", $"file:{serial}",
            "-device", "ich9-ahci,id=sata",
            "-drive", $"if=none,id=disk0,file={disk},format=qcow2",
            "-device", "ide-hd,drive=disk0,bus=sata.0,bootindex=0",
            "-netdev", $"user,id=nat,hostfwd=tcp:127.0.0.1:{sshPort}-:22", "-device", "e1000,netdev=nat",
            // The host-only network as VirtualBox makes it (the host at .1), reached from here only through forwards.
            "-netdev", $"user,id=hostonly,net=192.168.56.0/24,host=192.168.56.1,restrict=on,hostfwd=tcp:127.0.0.1:{directorPort}-192.168.56.2:5555," +
                $"hostfwd=tcp:127.0.0.1:{agentPort}-{NutshellSession.FirstAgentAddress}:5555",
            "-device", "e1000,netdev=hostonly")
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
}
