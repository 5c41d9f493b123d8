using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace ConPaaS.Build.Targets;

/// <summary>
/// A QEMU serial port served on a Unix socket (<c>-chardev socket,server=on</c>): what the machine prints is kept (and
/// logged to a file by QEMU), and lines can be typed into it, as a person at the console would. Used where the test
/// has no network to log in through: a Pi under <c>-M raspi3b</c> has none, and the emulated Pi of RpiClusterTest
/// is on the backend's network only (joining it is typed at its console, as the seeds' user does).
/// </summary>
internal sealed class SerialConsole : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StringBuilder _seen = new();
    private readonly Task _reader;
    private readonly CancellationTokenSource _stop = new();
    private int _consumed; // WaitForAsync looks only at output after the last match

    private SerialConsole(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Connects to QEMU's socket, waiting for QEMU to create it.</summary>
    public static async Task<SerialConsole> ConnectAsync(string path, Func<bool> qemuEnded, CancellationToken cancellationToken)
    {
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(100, cancellationToken))
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new SerialConsole(socket);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                if (e is OperationCanceledException) throw;
                if (qemuEnded() || waited.Elapsed > TimeSpan.FromSeconds(30))
                    throw new BuildException($"no serial console at {path} ({e.Message}){(qemuEnded() ? ": QEMU has exited" : " within 30 s")}");
            }
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await _socket.ReceiveAsync(buffer, _stop.Token) is var count and > 0)
                lock (_seen) _seen.Append(Encoding.UTF8.GetString(buffer, 0, count));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits until <paramref name="text"/> appears after the previous match; returns everything up to it.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout, Func<bool> machineEnded, CancellationToken cancellationToken)
    {
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(100, cancellationToken))
        {
            lock (_seen)
            {
                var output = _seen.ToString(_consumed, _seen.Length - _consumed);
                var at = output.IndexOf(text, StringComparison.Ordinal);
                if (at >= 0)
                {
                    _consumed += at + text.Length;
                    return output[..(at + text.Length)];
                }
            }
            if (machineEnded()) throw new BuildException($"the machine stopped before its console showed '{text}'; it ends with:\n{Tail()}");
            if (waited.Elapsed > timeout) throw new BuildException($"the console did not show '{text}' within {timeout.TotalSeconds:0} s; it ends with:\n{Tail()}");
        }
    }

    public Task TypeLineAsync(string line, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\r"), cancellationToken).AsTask();

    public string Tail(int lines = 25)
    {
        lock (_seen) return string.Join('\n', _seen.ToString().Split('\n').TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _reader;
        _stop.Dispose();
    }
}
