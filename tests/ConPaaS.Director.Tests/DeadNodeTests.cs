using System.Diagnostics;

namespace ConPaaS.Director.Tests;

/// <summary>
/// Nodes killed with SIGKILL: the manager notices a dead agent and the director a dead manager within 10 s, show it,
/// stop charging for it, and one command brings the service or the application back.
/// </summary>
public class DeadNodeTests
{
    [Fact]
    public async Task A_dead_agent_is_noticed_shown_no_longer_charged_and_service_start_recovers()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("fragile");
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        await sandbox.CpsToolsOkAsync("helloworld", "add_nodes", "1", "1", "--count", "1");
        var victim = (await sandbox.CpsToolsOkAsync("service", "list_nodes", "1", "1")).Split('\n')[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        Assert.Equal("2", sandbox.Sql("SELECT COUNT(*) FROM resources WHERE role = 'agent'"));

        Assert.True(sandbox.KillNode(victim) > 0, $"no process of {victim} found");
        var clock = Stopwatch.StartNew();
        while (!(await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1")).Contains("ERROR") && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(200);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the dead agent was noticed after {clock.Elapsed.TotalSeconds:0.0} s");

        var nodes = await sandbox.CpsToolsOkAsync("service", "list_nodes", "1", "1");
        Assert.Matches($@"{victim} +default +DEAD\n", nodes);
        Assert.Equal("0", sandbox.Sql($"SELECT COUNT(*) FROM resources WHERE vmid = '{victim}'"));
        var refused = await sandbox.CpsToolsAsync("helloworld", "get_helloworld", "1", "1");
        Assert.Equal("ERROR: service 1 is ERROR, not RUNNING\n", refused.StandardError);
        var log = await sandbox.CpsToolsAsync("service", "get_agent_log", "1", "1", victim);
        Assert.StartsWith($"ERROR: agent {victim} at ", log.StandardError);
        Assert.Contains("does not answer (it is dead)", log.StandardError);

        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("service", "start", "1", "1"));
        var greetings = await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1");
        Assert.Equal(2, greetings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("DEAD", await sandbox.CpsToolsOkAsync("service", "list_nodes", "1", "1"));
    }

    [Fact]
    public async Task A_dead_manager_puts_its_application_in_error_stops_its_charges_and_application_start_recovers()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("orphaned");
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var manager = sandbox.Sql("SELECT vmid FROM applications WHERE aid = 1");

        Assert.True(sandbox.KillNode(manager) > 0, $"no process of {manager} found");
        var clock = Stopwatch.StartNew();
        while (sandbox.Sql("SELECT status FROM applications WHERE aid = 1") != "ERROR" && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(200);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the dead manager was noticed after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("0", sandbox.Sql("SELECT COUNT(*) FROM resources"));
        Assert.Contains(" ERROR", await sandbox.CpsToolsOkAsync("application", "list"));

        await sandbox.CpsToolsOkAsync("application", "start", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("service", "start", "1", "1"));
        Assert.Contains("Hello World", await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1"));
    }
}
