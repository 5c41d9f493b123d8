using System.Diagnostics;
using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Cli;

/// <summary>A one-line progress bar on stderr, drawn only on a terminal and at most ten times a second.</summary>
internal sealed class ConsoleProgress(string label, long total) : IProgress<long>, IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled = !Console.IsErrorRedirected && total > 0;
    private long _lastDraw = -1000;
    private long _last;

    public void Report(long value)
    {
        _last = value;
        if (!_enabled || _clock.ElapsedMilliseconds - _lastDraw < 100) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        Draw();
    }

    private void Draw()
    {
        var fraction = Math.Clamp(_last / (double)total, 0, 1);
        const int width = 30;
        var filled = (int)(fraction * width);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {_last / (double)ByteSize.MiB,8:0} of {total / (double)ByteSize.MiB:0} MiB");
    }

    public void Dispose()
    {
        if (!_enabled) return;
        Draw();
        Console.Error.WriteLine($"  {_clock.Elapsed.TotalSeconds:0.0}s");
    }
}
