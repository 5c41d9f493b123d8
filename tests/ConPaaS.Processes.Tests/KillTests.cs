using System.Diagnostics;
using ConPaaS.Testing;

namespace ConPaaS.Processes.Tests;

/// <summary>A kill waits a bounded time for the tool to end, then says clearly that it did not.</summary>
public class KillTests
{
    // The kill waits 5 s; this leaves room for a loaded machine without letting a hang pass.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task CancellingAToolThatWillNotDieFailsClearlyWithinABound()
    {
        using var temp = new TempDirectory();
        var pidFile = temp.File("tool.pid");
        using var cancellation = new CancellationTokenSource();
        var run = new Command("sh", "-c", $"echo $$ > {pidFile}; exec sleep 300").RunAsync(cancellation.Token);
        var pid = await Processes.ReadPidAsync(pidFile);
        var started = Processes.StartTime(pid);

        using (await Freezer.FreezeAsync(pid))
        {
            var clock = Stopwatch.StartNew();
            cancellation.Cancel();
            var failure = await Assert.ThrowsAsync<ToolFailedException>(() => run);
            Assert.True(clock.Elapsed < Bound, $"the kill took {clock.Elapsed}");
            Assert.Contains($"sh was killed but had not ended 5 s later (pid {pid}", failure.Message);
            Assert.Contains("command: sh -c", failure.Message);
        }
        await Processes.WaitGoneAsync(pid, started);
    }

    [Fact]
    public async Task KillingABackgroundProcessThatWillNotDieFailsClearlyWithinABound()
    {
        using var temp = new TempDirectory();
        using var process = BackgroundProcess.Start(new Command("sleep", "300"), temp.File("sleep.log"));

        using (await Freezer.FreezeAsync(process.Id))
        {
            var clock = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAsync<ToolFailedException>(process.KillAsync);
            Assert.True(clock.Elapsed < Bound, $"the kill took {clock.Elapsed}");
            Assert.Contains("sleep was killed but had not ended", failure.Message);
            Assert.False(process.Exited.IsCompleted);
        }
        Assert.Equal(128 + 9, await process.Exited.WaitAsync(Bound)); // thawed, the pending SIGKILL ends it
    }

    [Fact]
    public async Task OutputHeldOpenByAnEscapedProcessDoesNotHoldUpCancellation()
    {
        using var temp = new TempDirectory();
        var pidFile = temp.File("escaped.pid");
        using var cancellation = new CancellationTokenSource();
        // setsid -f leaves the tool's group and tree but keeps its stdout and stderr open.
        var run = new Command("sh", "-c", $"setsid -f sh -c 'echo $$ > {pidFile}; exec sleep 300'; exec sleep 300").RunAsync(cancellation.Token);
        var escaped = await Processes.ReadPidAsync(pidFile);
        try
        {
            var clock = Stopwatch.StartNew();
            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.True(clock.Elapsed < Bound, $"the kill took {clock.Elapsed}");
        }
        finally
        {
            Process.GetProcessById(escaped).Kill();
        }
    }
}
