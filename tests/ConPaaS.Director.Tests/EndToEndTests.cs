namespace ConPaaS.Director.Tests;

/// <summary>The user guide's session, with the real cps-tools against a real director on a real TLS port.</summary>
public class EndToEndTests
{
    [Fact]
    public async Task The_documented_session_gives_the_documented_output()
    {
        await using var sandbox = await Sandbox.StartAsync();

        Assert.Contains("Certificate for user 'test' saved", await sandbox.CpsToolsOkAsync("user", "get_certificate"));
        foreach (var file in new[] { "cert.pem", "key.pem", "ca_cert.pem" })
            Assert.True(File.Exists(Path.Combine(sandbox.Home, ".conpaas", file)), file);

        Assert.Equal("Application 'First app' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "create", "First app"));
        Assert.Equal(
            "aid name      manager cloud status\n" +
            "----------------------------------\n" +
            "  1 First app               INIT\n", await sandbox.CpsToolsOkAsync("application", "list"));

        Assert.Equal("Application 'First app' with id 1 is starting...  done.\n", await sandbox.CpsToolsOkAsync("application", "start", "1"));
        var manager = sandbox.Subnet.Replace(".0/24", ".2");
        var header = "aid name      " + "manager".PadRight(manager.Length) + " cloud   status";
        Assert.Equal($"{header}\n{new string('-', manager.Length + 30)}\n  1 First app {manager} default RUNNING\n",
            await sandbox.CpsToolsOkAsync("application", "list"));

        Assert.Equal("php\njava\nhelloworld\nxtreemfs\nmysql\ngeneric\n", await sandbox.CpsToolsOkAsync("service", "get_types"));
        Assert.Equal("Service helloworld successfully added to application 1 with id 1.\n", await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1"));
        Assert.Equal(
            "aid sid type       name       status\n" +
            "------------------------------------\n" +
            "  1   1 helloworld helloworld INIT\n", await sandbox.CpsToolsOkAsync("service", "list"));
        Assert.Equal("Service 1 (helloworld) is INIT.\n", await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"));

        // The manager is a real process on its own loopback address, charged one credit for its first hour.
        Assert.Contains("manager", await sandbox.CpsToolsOkAsync("cloud", "list_resources"));
        Assert.Equal("49\n", await sandbox.CpsToolsOkAsync("user", "get_credit"));

        Assert.Equal("Application 'First app' with id 1 has been stopped.\n", await sandbox.CpsToolsOkAsync("application", "stop", "1"));
        Assert.Equal("STOPPED", sandbox.Sql("SELECT status FROM applications WHERE aid = 1"));
        Assert.Equal("0", sandbox.Sql("SELECT COUNT(*) FROM resources"));
        Assert.Equal("Application 'First app' with id 1 has been deleted.\n", await sandbox.CpsToolsOkAsync("application", "delete", "1"));
        Assert.Equal("aid name manager cloud status\n-----------------------------\n", await sandbox.CpsToolsOkAsync("application", "list"));
    }

    [Fact]
    public async Task Json_output_aliases_names_and_help()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "web shop");

        var json = System.Text.Json.Nodes.JsonNode.Parse(await sandbox.CpsToolsOkAsync("--json", "application", "list"))!.AsArray();
        Assert.Equal("web shop", json[0]!["name"]!.GetValue<string>());
        Assert.Equal("INIT", json[0]!["status"]!.GetValue<string>());

        // cps-application is cps-tools called by another name; names work where ids do.
        var alias = await sandbox.RunToolAsync("cps-application", "rename", "web shop", "shop");
        Assert.True(alias.Succeeded, alias.StandardError);
        Assert.Equal("Application 1 renamed to 'shop'.\n", alias.StandardOutput);

        var help = await sandbox.CpsToolsAsync("service", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("get_types", help.StandardOutput);
        var version = await sandbox.CpsToolsOkAsync("director", "version");
        Assert.Matches(@"^\d+\.\d+\.\d+\n$", version);
        Assert.Equal("default\n", await sandbox.CpsToolsOkAsync("cloud", "list"));
    }
}
