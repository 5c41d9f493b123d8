namespace ConPaaS.Common;

/// <summary>
/// The pause between two looks at something that is not ready yet (a node not listening, a state not reached): short
/// at first, so what is ready at once on a fast machine is seen at once, then doubling up to a ceiling. A fixed short
/// pause is what a poller must not do on a slow machine: under QEMU's TCG, cps-tools polling every 100 ms and the
/// director trying a starting manager every 25 ms spent more CPU than the container they waited for (cps-tools alone
/// used 21.8 s of CPU during a 36.7 s application start). The ceiling is 250 ms: at 500 ms the sandbox's application
/// start took 0.90 s instead of 0.75 s.
/// </summary>
public sealed class PollingDelay(TimeSpan? first = null, TimeSpan? ceiling = null)
{
    private TimeSpan _next = first ?? TimeSpan.FromMilliseconds(25);
    private readonly TimeSpan _ceiling = ceiling ?? TimeSpan.FromMilliseconds(250);

    /// <summary>Waits the current pause and doubles the next one, up to the ceiling.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var pause = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _ceiling.Ticks));
        return Task.Delay(pause, cancellationToken);
    }
}
