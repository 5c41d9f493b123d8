using System.Diagnostics;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// A Pi's SD card booted under QEMU (TCG) with the kernel, initrd and command line taken from the card's own firmware
/// partition, logged into as pi on a serial console on a socket; disposing stops QEMU. Two boards: the Pi 3 Model B
/// itself (<c>-M raspi3b</c>, the card as its SD card), and, where a network card is needed (no emulated Pi model has
/// one), <c>-M virt</c> with Cortex-A53s as in a Pi 3, the card as a virtio disk and a virtio NIC on a QEMU socket
/// network, the real-time clock starting in 2020, as a Pi without battery boots in the past.
/// </summary>
internal sealed class EmulatedPi : IAsyncDisposable
{
    private readonly Task<CommandResult> _qemu;
    private readonly CancellationTokenSource _stop;
    private readonly SerialConsole _console;
    private readonly CancellationToken _cancellation;
    private readonly Stopwatch _started;

    public static readonly HostTool QemuSystemAarch64 = new("qemu-system-aarch64", "qemu-system-arm") { MinimumVersion = SharedTools.QemuMinimumVersion };

    /// <summary>How long the login may take once its prompt is there.</summary>
    private static readonly TimeSpan AfterPrompt = TimeSpan.FromMinutes(3);

    private EmulatedPi(Task<CommandResult> qemu, Stopwatch started, CancellationTokenSource stop, SerialConsole console, CancellationToken cancellation) =>
        (_qemu, _started, _stop, _console, _cancellation) = (qemu, started, stop, console, cancellation);

    /// <summary>Time since QEMU was started: since power-on.</summary>
    public TimeSpan Uptime => _started.Elapsed;

    private bool Ended() => _qemu.IsCompleted;

    /// <summary>The Pi 3 Model B: its device tree, the card on the SD controller, the console on the mini UART (ttyS1,
    /// the GPIO header's serial console; the PL011 belongs to the Bluetooth chip and goes nowhere).</summary>
    public static Task<EmulatedPi> StartRaspi3bAsync(BuildContext context, string work, string card, RpiTestTarget.BootFiles boot)
    {
        var (socket, console) = ConsoleDevice(work);
        return StartAsync(context, socket, QemuSystemAarch64.Command(["-M", "raspi3b", "-display", "none", "-monitor", "none",
            "-kernel", boot.Kernel, "-initrd", boot.Initrd, "-dtb", boot.DeviceTree, "-append", boot.CommandLine,
            "-drive", $"if=sd,format=raw,file={card}", "-serial", "null", .. console]));
    }

    /// <summary>-M virt with the card as a virtio disk, a virtio NIC on the QEMU socket network listening at
    /// networkPort, and the console moved to the PL011 (ttyAMA0).</summary>
    public static Task<EmulatedPi> StartVirtAsync(BuildContext context, string work, string card, RpiTestTarget.BootFiles boot, int networkPort)
    {
        var (socket, console) = ConsoleDevice(work);
        var commandLine = string.Join(' ', boot.CommandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(word => !word.StartsWith("console=", StringComparison.Ordinal)).Append("console=ttyAMA0,115200"));
        return StartAsync(context, socket, QemuSystemAarch64.Command(["-M", "virt", "-cpu", "cortex-a53", "-smp", "2", "-m", "2048",
            "-display", "none", "-monitor", "none", "-rtc", "base=2020-01-01T00:00:00",
            "-kernel", boot.Kernel, "-initrd", boot.Initrd, "-append", commandLine,
            "-drive", $"if=none,id=card,format=raw,file={card}", "-device", "virtio-blk-pci,drive=card",
            "-netdev", $"socket,id=lan,connect=127.0.0.1:{networkPort}", "-device", "virtio-net-pci,netdev=lan", .. console]));
    }

    /// <summary>The serial console on a socket the test types into, logged beside it.</summary>
    private static (string Socket, string[] Arguments) ConsoleDevice(string work)
    {
        var socket = Path.Combine(work, "pi-console.sock");
        return (socket, ["-chardev", $"socket,id=console,path={socket},server=on,wait=off,logfile={Path.Combine(work, "pi-console.log")}",
            "-serial", "chardev:console"]);
    }

    private static async Task<EmulatedPi> StartAsync(BuildContext context, string socket, Command command)
    {
        var qemu = command.Contained();
        BuildContext.Log($"  $ {qemu}");
        var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var started = Stopwatch.StartNew();
        var running = qemu.RunAsync(stop.Token, allowFailure: true);
        try
        {
            var console = await SerialConsole.ConnectAsync(socket, () => running.IsCompleted, context.CancellationToken);
            return new EmulatedPi(running, started, stop, console, context.CancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            await Task.WhenAny(running, Task.Delay(10_000, CancellationToken.None));
            stop.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the login prompt (returning how long after QEMU started it came), then logs in as pi.</summary>
    public async Task<TimeSpan> LogInAsync(TimeSpan timeout)
    {
        await _console.WaitForAsync("raspberrypi login:", timeout, Ended, _cancellation);
        var prompt = Uptime;
        await _console.TypeLineAsync("pi", _cancellation);
        await _console.WaitForAsync("Password:", AfterPrompt, Ended, _cancellation);
        await _console.TypeLineAsync("raspberry", _cancellation);
        await _console.WaitForAsync("$ ", AfterPrompt, Ended, _cancellation);
        return prompt;
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
        var ended = await Task.WhenAny(_qemu, Task.Delay(TimeSpan.FromMinutes(3), _cancellation));
        _cancellation.ThrowIfCancellationRequested();
        if (ended != _qemu)
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
