using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>Applications from manifests: a generic service deployed with its archive, and bad manifests refused.</summary>
public class ManifestTests
{
    [Fact]
    public async Task A_manifest_deploys_a_started_generic_service_with_its_code_and_instances()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var source = Path.Combine(sandbox.Home, "code");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "init.sh"), "echo \"init on $CPS_AGENT_ROLE\"\n");
        HostTool.Run("tar", "-C", source, "-cjf", Path.Combine(sandbox.Home, "app.tar.bz2"), ".");
        File.WriteAllText(Path.Combine(sandbox.Home, "startup.sh"), "echo \"startup on $CPS_AGENT_ID\"\n");
        var manifest = Path.Combine(sandbox.Home, "app.mnf");
        File.WriteAllText(manifest, """
            {
              "Application": "From a manifest",
              "Description": "generic, two agents",
              "Services": [
                { "Type": "generic", "ServiceName": "worker", "Start": 1, "Archive": "app.tar.bz2",
                  "StartupScript": "startup.sh", "StartupInstances": { "master": 1, "node": 1 } }
              ]
            }
            """);
        Assert.Equal("Application 'From a manifest' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string nodes;
        while (!(nodes = (await sandbox.CpsToolsAsync("generic", "list_nodes", "1", "1")).StandardOutput).Contains(" node ") && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Contains(" master ", nodes);
        Assert.Contains(" node ", nodes);
        var codes = await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1");
        Assert.Matches(@"\n      \* code-\w{6} +app\.tar\.bz2 +From the manifest\n", codes);
        Assert.Contains("worker", await sandbox.CpsToolsOkAsync("service", "list", "1"));

        // Every agent ran the StartupScript first, then init.sh.
        foreach (var agent in nodes.Split('\n').Skip(2).Where(l => l.Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]))
        {
            string output;
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(output = await sandbox.CpsToolsOkAsync("generic", "get_agent_log", "1", "1", agent, "-f", "agent.out")).Contains("init on") && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Matches($@"^startup on {agent}\ninit on (master|node)\n", output);
        }
    }

    [Fact]
    public async Task The_application_manager_deploys_the_manifest_and_reports_it()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var manifest = Path.Combine(sandbox.Home, "hello.mnf");
        File.WriteAllText(manifest, """
            { "Application": "Greetings", "Services": [ { "Type": "helloworld", "Start": 1, "StartupInstances": { "helloworld": 3 } } ] }
            """);
        Assert.Equal("Application 'Greetings' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        string log;
        while (!(log = (await sandbox.CpsToolsAsync("application", "get_log", "1")).StandardOutput).Contains("the manifest is deployed") && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Contains("deploying the manifest of 'Greetings': 1 services", log);
        Assert.Contains("service 1: started, 3 agent(s) as the manifest asks", log);
        Assert.Equal(3, (await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // The director numbered the service the manager added, and did none of the deploying itself.
        Assert.Equal("1|1|helloworld|helloworld", sandbox.Sql("SELECT application_id, sid, name, type FROM services"));
        Assert.DoesNotContain("manifest", File.ReadAllText(sandbox.Log));
    }

    [Theory]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "php", "Start": 1, "Dump": "https://example.org/d.sql" } ] }""", "ERROR: manifest: Services[0].Dump is for mysql services, not php")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "mysql", "Password": "long-enough" } ] }""", "ERROR: manifest: Services[0].Password needs \"Start\": 1")]
    [InlineData("""{ "Application": "x", "Services": [ { "ServiceName": "no type" } ] }""", "ERROR: manifest: Services[0].Type is missing")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "generic" }, { "Type": "helloworld", "Start": 2 } ] }""", "ERROR: manifest: Services[1].Start must be 0 or 1")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "nosuch" } ] }""", "ERROR: manifest: Services[0].Type 'nosuch' is not a service type")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "generic", "Cloud": "mars" } ] }""", "ERROR: manifest: Services[0].Cloud 'mars' is not one of the clouds")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "generic", "Archive": "missing.tgz" } ] }""", "ERROR: manifest: Services[0].Archive names")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "generic", "Start": 1, "StartupInstances": { "web": 2 } } ] }""", "ERROR: manifest: Services[0].StartupInstances.web is not a generic role")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "generic", "StartupInstances": { "node": 2 } } ] }""", "ERROR: manifest: Services[0].StartupInstances needs \"Start\": 1")]
    [InlineData("""{ "Application": "x", "Services": [ { "Type": "xtreemfs" } ] }""", "ERROR: manifest: Services[0].Type 'xtreemfs' services cannot be deployed here yet")]
    [InlineData("""{ "Application": ["x"] }""", "ERROR: manifest: Application must be a string")]
    [InlineData("""{ "Application": "x", """, "ERROR: app.mnf is not valid JSON at line 1, column 23: ")]
    [InlineData("{\n  \"Application\": \"x\",\n  \"Services\": [ { \"Type\": \"php\" }, ]\n}", "ERROR: app.mnf is not valid JSON at line 3, column ")]
    public async Task A_bad_manifest_is_refused_naming_the_field_and_nothing_is_created(string text, string expected)
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var manifest = Path.Combine(sandbox.Home, "app.mnf");
        File.WriteAllText(manifest, text);
        var before = sandbox.Sql(".dump");
        var result = await sandbox.CpsToolsAsync("application", "manifest", manifest);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(expected, result.StandardError);
        Assert.Equal(before, sandbox.Sql(".dump"));
    }
}
