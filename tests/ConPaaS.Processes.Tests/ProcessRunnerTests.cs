using System.Diagnostics;
using ConPaaS.Processes;

namespace ConPaaS.Processes.Tests;

public class ProcessRunnerTests
{
    [Fact]
    public async Task CapturesOutputAndExitCode()
    {
        var result = await new Command("sh", "-c", "echo out; echo err >&2").RunAsync(CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact]
    public async Task ArgumentsAreNeverSplitOrInterpretedByAShell()
    {
        var tricky = "two words; $(echo injected) 'quoted'";
        var result = await new Command("printf", "%s", tricky).RunAsync(CancellationToken.None);
        Assert.Equal(tricky, result.StandardOutput.TrimEnd('\n'));
    }

    [Fact]
    public async Task FailureNamesToolCommandLineExitCodeAndStderrTail()
    {
        var command = new Command("sh", "-c", "for i in $(seq 1 40); do echo line$i >&2; done; exit 3");
        var failure = await Assert.ThrowsAsync<ToolFailedException>(() => command.RunAsync(CancellationToken.None));
        Assert.Contains("sh exited with code 3", failure.Message);
        Assert.Contains("command: sh -c 'for i in", failure.Message);
        Assert.Contains("line40", failure.Message);
        Assert.DoesNotContain("line20\n", failure.Message); // only the tail
    }

    [Fact]
    public async Task MissingToolIsAClearFailure()
    {
        var failure = await Assert.ThrowsAsync<ToolFailedException>(() => new Command("no-such-tool-here", "x").RunAsync(CancellationToken.None));
        Assert.Contains("no-such-tool-here could not be started", failure.Message);
    }

    [Fact]
    public async Task CancellationKillsTheChildAndItsChildren()
    {
        using var temp = new ConPaaS.Testing.TempDirectory();
        var pidFile = temp.File("grandchild.pid");
        using var cancellation = new CancellationTokenSource();
        var run = new Command("sh", "-c", $"sleep 300 & echo $! > {pidFile}; wait").RunAsync(cancellation.Token);
        var grandchild = await Processes.ReadPidAsync(pidFile);
        var started = Processes.StartTime(grandchild);

        var clock = Stopwatch.StartNew();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        await Processes.WaitGoneAsync(grandchild, started); // sleep must not survive the cancellation
    }

    [Fact]
    public void CommandLineIsQuotedForHumans()
    {
        Assert.Equal("mke2fs -t ext4 'my dir' 'it'\\''s'", new Command("mke2fs", "-t", "ext4", "my dir", "it's").ToString());
    }
}
