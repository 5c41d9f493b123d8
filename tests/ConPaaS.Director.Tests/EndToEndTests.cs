using ConPaaS.Processes;

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
        Assert.Equal("state: INIT\ntype: helloworld\nname: helloworld\nnodes: 0\n", await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"));

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

        // Shell completion asks the binary itself.
        var script = await sandbox.CpsToolsOkAsync("completion", "bash");
        Assert.Contains("complete -o default -F _cps_tools_complete cps-tools", script);
        var suggestions = await new ConPaaS.Processes.Command(Path.Combine(Sandbox.Bin, "cps-tools"), "[suggest:16]", "cps-tools applic")
            .RunAsync(CancellationToken.None);
        Assert.Equal("application\n", suggestions.StandardOutput);
    }

    [Fact]
    public async Task Users_register_and_manifests_go_up_and_come_back()
    {
        await using var sandbox = await Sandbox.StartAsync();
        Assert.Equal("User 'grace' created with id 2.\n", await sandbox.CpsToolsOkAsync("user", "create", "grace", "grace@example.org", "a long password"));
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var manifest = Path.Combine(sandbox.Home, "sudoku.mnf");
        File.WriteAllText(manifest, """{ "Application": "Sudoku", "Services": [ { "Type": "helloworld", "ServiceName": "sudoku" } ] }""");
        Assert.Equal("Application 'Sudoku' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));
        using var client = sandbox.Client(sandbox.Certificate(new ConPaaS.Platform.Security.CertificateIdentity(1, "user", 0, "test")));
        var back = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(new Uri(sandbox.Url, "/download_manifest/1")))!;
        Assert.Equal("sudoku", back["Services"]![0]!["ServiceName"]!.GetValue<string>());

        // The seeds: "If it is omitted, a default application name will be chosen."
        File.WriteAllText(manifest, """{ "Services": [] }""");
        Assert.Equal("Application 'New application' created with id 2.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));
    }
}
