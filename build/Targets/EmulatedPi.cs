using System.Diagnostics;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// A Pi's SD card booted as the disk of <c>qemu-system-aarch64 -M virt</c> (TCG, Cortex-A53s as in a Pi 3) with a
/// virtio network card on a QEMU socket network: no emulated Pi model has a network card. The kernel, initrd and
/// command line are the card's own (its console moved to the PL011, ttyAMA0); the real-time clock starts in 2020, as a
/// Pi without battery boots in the past. Logged into as pi on the serial console; disposing stops QEMU.
/// </summary>
internal sealed class EmulatedPi : IAsyncDisposable
{
    private readonly Task<CommandResult> _qemu;
    private readonly CancellationTokenSource _stop;
    private readonly SerialConsole _console;
    private readonly CancellationToken _cancellation;

    private EmulatedPi(Task<CommandResult> qemu, CancellationTokenSource stop, SerialConsole console, CancellationToken cancellation) =>
        (_qemu, _stop, _console, _cancellation) = (qemu, stop, console, cancellation);

    private bool Ended() => _qemu.IsCompleted;

    public static async Task<EmulatedPi> StartAsync(BuildContext context, string work, string card, RpiTestTarget.BootFiles boot, int networkPort)
    {
        var socket = Path.Combine(work, "pi-console.sock");
        var commandLine = string.Join(' ', boot.CommandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(word => !word.StartsWith("console=", StringComparison.Ordinal)).Append("console=ttyAMA0,115200"));
        var qemu = RpiTestTarget.QemuSystemAarch64.Command("-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "2048",
                "-display", "none", "-monitor", "none", "-rtc", "base=2020-01-01T00:00:00",
                "-kernel", boot.Kernel, "-initrd", boot.Initrd, "-append", commandLine,
                "-drive", $"if=none,id=card,format=raw,file={card}", "-device", "virtio-blk-pci,drive=card",
                "-netdev", $"socket,id=lan,connect=127.0.0.1:{networkPort}", "-device", "virtio-net-pci,netdev=lan",
                "-chardev", $"socket,id=console,path={socket},server=on,wait=off,logfile={Path.Combine(work, "pi-console.log")}",
                "-serial", "chardev:console")
            .Contained();
        BuildContext.Log($"  $ {qemu}");
        var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var running = qemu.RunAsync(stop.Token, allowFailure: true);
        try
        {
            var console = await SerialConsole.ConnectAsync(socket, () => running.IsCompleted, context.CancellationToken);
            return new EmulatedPi(running, stop, console, context.CancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            await Task.WhenAny(running, Task.Delay(10_000, CancellationToken.None));
            stop.Dispose();
            throw;
        }
    }

    public async Task LogInAsync(TimeSpan timeout)
    {
        await _console.WaitForAsync("raspberrypi login:", timeout, Ended, _cancellation);
        await _console.TypeLineAsync("pi", _cancellation);
        await _console.WaitForAsync("Password:", timeout, Ended, _cancellation);
        await _console.TypeLineAsync("raspberry", _cancellation);
        await _console.WaitForAsync("$ ", timeout, Ended, _cancellation);
    }

    /// <summary>Runs a shell command line as pi; returns its output (stdout and stderr), or throws with it when it
    /// fails. The markers are split by quotes so that the console's echo of the typed line never matches them.</summary>
    public async Task<string> RunAsync(string command, TimeSpan timeout)
    {
        await _console.TypeLineAsync($"echo \"BE\"\"GIN\"; {{ {command}; }} 2>&1; echo \"E\"\"ND $? EX\"\"IT\"", _cancellation);
        await _console.WaitForAsync("BEGIN", timeout, Ended, _cancellation);
        var output = (await _console.WaitForAsync("END ", timeout, Ended, _cancellation))[..^4].Trim();
        var code = (await _console.WaitForAsync(" EXIT", timeout, Ended, _cancellation))[..^5].Trim();
        if (code != "0") throw new BuildException($"on the Pi, '{command}' failed (exit {code}):\n{output}");
        return output.Replace("\r", "");
    }

    public async Task PowerOffAsync()
    {
        await _console.TypeLineAsync("echo raspberry | sudo -S -p '' systemctl poweroff", _cancellation);
        if (await Task.WhenAny(_qemu, Task.Delay(TimeSpan.FromMinutes(3), _cancellation)) != _qemu)
            throw new BuildException($"the Pi did not power off within 3 minutes; its console ends with:\n{_console.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        await _console.DisposeAsync();
        await _stop.CancelAsync();
        await Task.WhenAny(_qemu, Task.Delay(10_000, CancellationToken.None));
        _stop.Dispose();
    }
}
