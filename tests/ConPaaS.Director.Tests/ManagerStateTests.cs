using System.Text.RegularExpressions;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>
/// What an application's manager keeps lives in a directory the driver keeps for the application: a stopped and
/// started application's new manager still has the code versions (and which is active), the SSH keys and the volumes.
/// </summary>
public class ManagerStateTests
{
    [Fact]
    public async Task Code_versions_keys_and_volumes_survive_an_application_stop_and_start()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("kept");
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        var source = Path.Combine(sandbox.Home, "code");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "run.sh"), "echo \"kept code runs on $CPS_AGENT_ROLE\"\n");
        var package = Path.Combine(sandbox.Home, "kept.tar.gz");
        HostTool.Run("tar", "-C", source, "-czf", package, ".");
        var version = Regex.Match(await sandbox.CpsToolsOkAsync("generic", "upload_code", "1", "1", package), "code-\\w{6}").Value;
        await sandbox.CpsToolsOkAsync("generic", "enable_code", "1", "1", version);
        var key = GitDeploymentTests.NewKey(sandbox.Home, "user");
        await sandbox.CpsToolsOkAsync("generic", "upload_key", "1", "1", key + ".pub");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var master = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        await sandbox.CpsToolsOkAsync("generic", "create_volume", "1", "1", "data", "8", master);
        var codes = await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1");
        Assert.Contains($"      * {version}", codes);

        await sandbox.CpsToolsOkAsync("application", "stop", "1");
        await sandbox.CpsToolsOkAsync("application", "start", "1");

        Assert.Equal(codes, await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1"));
        Assert.Equal(File.ReadAllText(key + ".pub"), await sandbox.CpsToolsOkAsync("generic", "list_keys", "1", "1"));
        // The volume is kept (by the director) and known (by the new manager), detached: its agent is gone.
        Assert.Matches(@"\ndata +8 *\n$", await sandbox.CpsToolsOkAsync("generic", "list_volumes", "1", "1"));
        // The kept active version is what the restarted service runs.
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        await sandbox.CpsToolsOkAsync("generic", "run", "1", "1");
        master = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string output;
        while (!(output = await sandbox.CpsToolsOkAsync("generic", "get_agent_log", "1", "1", master, "-f", "agent.out")).Contains("kept code runs") && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Contains("kept code runs on master", output);
        await sandbox.CpsToolsOkAsync("generic", "delete_volume", "1", "1", "data");

        // Deleting the application deletes what its managers kept.
        await sandbox.CpsToolsOkAsync("application", "delete", "1");
        Assert.False(Directory.Exists(Path.Combine(sandbox.Directory, "data", "applications", "1")));
    }
}
