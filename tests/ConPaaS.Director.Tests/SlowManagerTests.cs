namespace ConPaaS.Director.Tests;

/// <summary>
/// A manager that is up but slow to answer its first call, as a Raspberry Pi's is under emulation: the director asks
/// again until NODE_START_TIMEOUT instead of failing the application's start at the first call that outlives
/// NODE_CALL_TIMEOUT (RpiClusterTest once failed so: check_process took over 30 s).
/// </summary>
public class SlowManagerTests
{
    [Fact]
    public async Task A_manager_that_answers_its_first_call_late_still_starts_its_application()
    {
        using var temp = new TempDirectory();
        var bin = temp.File("bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "cpsagent"), Path.Combine(Sandbox.Bin, "cpsagent"));
        // The real manager, stopped (SIGSTOP) for 12 s as soon as it listens: the kernel still accepts the director's
        // connection, so its call hangs past the 5 s NODE_CALL_TIMEOUT, as a slow answer would.
        var manager = Path.Combine(bin, "cpsmanager");
        File.WriteAllText(manager, $"""
            #!/bin/bash
            config=$2
            ip=$(sed -n 's/^IP = //p' "$config"); port=$(sed -n 's/^PORT = //p' "$config")
            {Path.Combine(Sandbox.Bin, "cpsmanager")} "$@" & manager=$!
            until (exec 3<>/dev/tcp/$ip/$port) 2>/dev/null; do sleep 0.01; done
            kill -STOP $manager; sleep 12; kill -CONT $manager
            wait $manager
            """);
        File.SetUnixFileMode(manager, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(bin, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_101_101);

        await using var sandbox = await Sandbox.StartAsync(new Dictionary<string, string>
        {
            ["CPSDIRECTOR_IAAS_LOCAL_BIN_DIR"] = bin,
            ["CPSDIRECTOR_IAAS_NODE_CALL_TIMEOUT"] = "5",
        });
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "slow");
        Assert.Contains("done", await sandbox.CpsToolsOkAsync("application", "start", "1"));
        Assert.Contains("did not answer within 5 s; asking again", File.ReadAllText(sandbox.Log));
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1"); // the manager answers calls after the wait
    }
}
