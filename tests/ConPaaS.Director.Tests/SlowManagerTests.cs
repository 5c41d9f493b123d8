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
        // A copy of the programs' directory, which confined nodes see (LOCAL_BIN_DIR is bound into their namespace,
        // where /tmp is private, and the published programs may live under /tmp, as in a checkout there).
        var programs = Path.GetDirectoryName(HostTool.Run("realpath", Path.Combine(Sandbox.Bin, "cpsmanager")).Trim())!;
        var bin = temp.File("bin");
        HostTool.Run("cp", "-a", programs, bin);
        File.Move(Path.Combine(bin, "cpsmanager"), Path.Combine(bin, "cpsmanager.real"));
        // The real manager, stopped (SIGSTOP) for 12 s as soon as it listens: the kernel still accepts the director's
        // connection, so its call hangs past the 5 s NODE_CALL_TIMEOUT, as a slow answer would.
        var manager = Path.Combine(bin, "cpsmanager");
        File.WriteAllText(manager, """
            #!/bin/bash
            config=$2
            ip=$(sed -n 's/^IP = //p' "$config"); port=$(sed -n 's/^PORT = //p' "$config")
            "$(dirname "$0")/cpsmanager.real" "$@" & manager=$!
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
            // Time enough on a loaded machine (CI runs the test projects side by side): a first answer after the
            // stop can itself take more than one call's 5 s there.
            ["CPSDIRECTOR_IAAS_NODE_START_TIMEOUT"] = "300",
        });
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "slow");
        var started = await sandbox.CpsToolsAsync("application", "start", "1");
        var log = File.ReadAllText(sandbox.Log);
        Assert.True(started.Succeeded, $"application start failed: {started.StandardError}\nthe director's log:\n{log}");
        Assert.Contains("did not answer within 5 s; asking again", log);
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1"); // the manager answers calls after the wait
    }
}
