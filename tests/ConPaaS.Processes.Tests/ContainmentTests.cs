using ConPaaS.Testing;

namespace ConPaaS.Processes.Tests;

/// <summary>What <see cref="Command.Contained"/> and the start path promise, checked on the real kernel.</summary>
public class ContainmentTests
{
    [Fact]
    public async Task EveryChildLeadsAProcessGroupOfItsOwn()
    {
        // Fields 1 and 5 of /proc/self/stat are the pid and the process group, both numbered as /proc sees them (the
        // tests may run in a PID namespace of their own under ./build.sh, where $$ would not match /proc).
        var result = await new Command("sh", "-c", "exec cut -d' ' -f1,5 /proc/self/stat").RunAsync(CancellationToken.None);
        var fields = result.StandardOutput.Trim().Split(' ');
        Assert.Equal(fields[0], fields[1]);
    }

    [Fact]
    public async Task AContainedChildOutlivesTheThreadThatAskedForIt()
    {
        // The parent-death signal follows the thread that forked, so a requester ending must not matter.
        using var temp = new TempDirectory();
        BackgroundProcess? process = null;
        var requester = new Thread(() => process = BackgroundProcess.Start(new Command("sleep", "300").Contained(), temp.File("sleep.log")));
        requester.Start();
        requester.Join();
        await Task.Delay(500);
        Assert.False(process!.Exited.IsCompleted, "the contained child died with the thread that asked for it");
        await process.KillAsync();
        process.Dispose();
    }

    [Fact]
    public async Task AContainedChildIsInitOfItsOwnPidNamespaceWhenRunAsRoot()
    {
        var result = await new Command("sh", "-c", "echo $$").Contained().RunAsync(CancellationToken.None);
        if (Environment.UserName == "root") Assert.Equal("1\n", result.StandardOutput);
        else Assert.NotEqual("1\n", result.StandardOutput);
    }
}
