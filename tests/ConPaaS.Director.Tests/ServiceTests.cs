using System.Text.RegularExpressions;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>helloworld and generic from start to finish with the real cps-tools, manager and agents.</summary>
public class ServiceTests
{
    [Fact]
    public async Task Helloworld_greets_from_three_agents_and_shrinks_again()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync();
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("service", "start", "1", "1"));
        Assert.Equal("Adding 2 nodes to service 1... done.\n", await sandbox.CpsToolsOkAsync("helloworld", "add_nodes", "1", "1", "--count", "2"));

        var greetings = (await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1")).TrimEnd('\n').Split('\n');
        Assert.Equal(3, greetings.Length);
        Assert.All(greetings, g => Assert.Matches(@"^Hello World from agent local-\d{8} at 127\.\d+\.\d+\.\d+$", g));
        Assert.Equal(3, greetings.Distinct().Count());

        var nodes = await sandbox.CpsToolsOkAsync("service", "list_nodes", "1", "1");
        Assert.StartsWith("aid sid role       ip", nodes);
        Assert.Equal(3, Regex.Matches(nodes, @"^  1   1 helloworld 127\.", RegexOptions.Multiline).Count);
        Assert.Equal("4", sandbox.Sql("SELECT COUNT(*) FROM resources"));

        await sandbox.CpsToolsOkAsync("service", "remove_nodes", "1", "1", "--count", "2");
        Assert.Single((await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1")).TrimEnd('\n').Split('\n'));
        Assert.Equal("Service 1 is stopping... done.\n", await sandbox.CpsToolsOkAsync("service", "stop", "1", "1"));
        Assert.Equal("1", sandbox.Sql("SELECT COUNT(*) FROM resources"));

        // A stopped and restarted application still has its service, ready to start again.
        await sandbox.CpsToolsOkAsync("application", "stop", "1");
        await sandbox.CpsToolsOkAsync("application", "start", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("service", "start", "1", "1"));
        Assert.Single((await sandbox.CpsToolsOkAsync("helloworld", "get_helloworld", "1", "1")).TrimEnd('\n').Split('\n'));
        Assert.Equal("Service 1 of application 1 has been successfully removed.\n", await sandbox.CpsToolsOkAsync("service", "remove", "1", "1"));
    }

    [Fact]
    public async Task Generic_scripts_follow_the_documented_life_cycle()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync();
        var package = MakePackage(sandbox.Home);
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");

        var uploaded = await sandbox.CpsToolsOkAsync("generic", "upload_code", "1", "1", package);
        var version = Regex.Match(uploaded, @"^Code version (code-\w{6}) uploaded\n$").Groups[1].Value;
        Assert.NotEmpty(version);
        Assert.Equal($"{version} enabled\n", await sandbox.CpsToolsOkAsync("generic", "enable_code", "1", "1", version));
        var codes = await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1");
        Assert.Matches($@"\n      \* {version} +test-code\.tar\.gz", codes);
        Assert.Contains("code-default  code-default.tar", codes);

        var master = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        await WaitForStatusAsync(sandbox, master, "init.sh", "STOPPED (return code 0)");
        Assert.Equal("NEVER STARTED", await StatusAsync(sandbox, master, "run.sh"));

        Assert.Equal("run.sh started on 1 agents\n", await sandbox.CpsToolsOkAsync("generic", "run", "1", "1", "-p", "first second"));
        await WaitForStatusAsync(sandbox, master, "run.sh", "RUNNING");
        var refused = await sandbox.CpsToolsAsync("generic", "cleanup", "1", "1");
        Assert.StartsWith("ERROR: cannot cleanup: scripts are running", refused.StandardError);
        Assert.StartsWith("ERROR: scripts are running", (await sandbox.CpsToolsAsync("generic", "enable_code", "1", "1", "code-default")).StandardError);

        await sandbox.CpsToolsOkAsync("generic", "add_nodes", "1", "1", "--count", "2");
        await WaitForStatusAsync(sandbox, master, "notify.sh", "STOPPED (return code 0)");
        var nodes = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n').Skip(2).Where(l => l.Length > 0).ToList();
        Assert.Equal(3, nodes.Count);
        Assert.Contains(" master ", nodes[0]);
        Assert.All(nodes.Skip(1), n => Assert.Contains(" node ", n));
        foreach (var node in nodes.Skip(1).Select(n => n.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]))
        {
            await WaitForStatusAsync(sandbox, node, "init.sh", "STOPPED (return code 0)");
            Assert.Equal("NEVER STARTED", await StatusAsync(sandbox, node, "notify.sh"));
        }

        // interrupt.sh here ignores the request; a second interrupt kills it and run.sh with its children.
        await sandbox.CpsToolsOkAsync("generic", "interrupt", "1", "1");
        await WaitForStatusAsync(sandbox, master, "interrupt.sh", "RUNNING");
        Assert.Equal("RUNNING", await StatusAsync(sandbox, master, "run.sh"));
        await sandbox.CpsToolsOkAsync("generic", "interrupt", "1", "1");
        await WaitForStatusAsync(sandbox, master, "run.sh", "STOPPED (return code 137)");
        await WaitForStatusAsync(sandbox, master, "interrupt.sh", "STOPPED (return code 137)");
        // The children die with their scripts (a moment after, as the kernel delivers the signal to the group).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (HostTool.Try("pgrep", "-f", "sleep 424[23]").StandardOutput.Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("", HostTool.Try("pgrep", "-f", "sleep 424[23]").StandardOutput);
        Assert.StartsWith("ERROR: nothing to interrupt", (await sandbox.CpsToolsAsync("generic", "interrupt", "1", "1")).StandardError);

        Assert.Equal("cleanup.sh started on 3 agents\n", await sandbox.CpsToolsOkAsync("generic", "cleanup", "1", "1"));
        await WaitForStatusAsync(sandbox, master, "cleanup.sh", "STOPPED (return code 3)");

        var output = await sandbox.CpsToolsOkAsync("generic", "get_agent_log", "1", "1", master, "-f", "agent.out");
        Assert.Contains("Executing script run.sh\nParameters (2): first second\nMy IP is 127.", output);
        Assert.Contains("My role is master", output);
        Assert.Matches(@"\[\{""ip"":""127\.[\d.]+"",""role"":""master"",""id"":""local-\d{8}""\}", output);

        await sandbox.CpsToolsOkAsync("generic", "remove_nodes", "1", "1", "--count", "1");
        await WaitForStatusAsync(sandbox, master, "notify.sh", "STOPPED (return code 0)");
        var agentsFile = Path.Combine(sandbox.Directory, "data", "nodes", master, "var", "cache", "cpsagent", "agents.json");
        Assert.Equal(2, Regex.Matches(File.ReadAllText(agentsFile), "\"role\"").Count);
    }

    [Fact]
    public async Task A_generic_agent_gets_a_volume_only_while_no_script_runs()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync();
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var master = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        await WaitForStatusAsync(sandbox, master, "init.sh", "STOPPED (return code 0)");

        Assert.Equal($"Volume data (20 MB) created and attached to {master}.\n", await sandbox.CpsToolsOkAsync("generic", "create_volume", "1", "1", "data", "20", master));
        var visible = Path.Combine(sandbox.Directory, "data", "nodes", master, "volumes", "data");
        Assert.Contains("TYPE=\"ext4\"", HostTool.Run("blkid", visible));
        Assert.Equal($"volume_name size_mb agent_id\n{new string('-', 20 + master.Length)}\n{"data",-11} {"20",7} {master}\n",
            await sandbox.CpsToolsOkAsync("generic", "list_volumes", "1", "1"));

        var package = MakePackage(sandbox.Home);
        var version = Regex.Match(await sandbox.CpsToolsOkAsync("generic", "upload_code", "1", "1", package), "code-\\w{6}").Value;
        await sandbox.CpsToolsOkAsync("generic", "enable_code", "1", "1", version);
        await WaitForStatusAsync(sandbox, master, "init.sh", "STOPPED (return code 0)");
        await sandbox.CpsToolsOkAsync("generic", "run", "1", "1");
        await WaitForStatusAsync(sandbox, master, "run.sh", "RUNNING");
        Assert.StartsWith("ERROR: scripts are running", (await sandbox.CpsToolsAsync("generic", "delete_volume", "1", "1", "data")).StandardError);
        Assert.StartsWith("ERROR: scripts are running", (await sandbox.CpsToolsAsync("generic", "create_volume", "1", "1", "more", "5", master)).StandardError);
        await sandbox.CpsToolsOkAsync("generic", "interrupt", "1", "1");
        await sandbox.CpsToolsOkAsync("generic", "interrupt", "1", "1");
        await WaitForStatusAsync(sandbox, master, "run.sh", "STOPPED (return code 137)");

        Assert.Equal("Volume data detached and deleted.\n", await sandbox.CpsToolsOkAsync("generic", "delete_volume", "1", "1", "data"));
        Assert.False(File.Exists(visible));
        Assert.Equal("0", sandbox.Sql("SELECT COUNT(*) FROM volumes"));
    }

    [Fact]
    public async Task A_hostile_archive_is_refused_at_upload_and_changes_nothing()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync();
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var evil = Path.Combine(sandbox.Home, "evil.tar");
        File.WriteAllText(Path.Combine(sandbox.Home, "payload"), "owned\n");
        HostTool.Run("tar", "-C", sandbox.Home, "--transform", "s,^,../../../,", "-cf", evil, "payload");
        var before = await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1");

        var refused = await sandbox.CpsToolsAsync("generic", "upload_code", "1", "1", evil);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("ERROR: evil.tar refused: '../../../payload' climbs out of the archive with '..'\n", refused.StandardError);
        Assert.Equal(before, await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1"));
        Assert.Empty(Directory.EnumerateFiles(sandbox.Directory, "payload", SearchOption.AllDirectories));
    }

    /// <summary>The seeds' example package: every script says who and where it runs; run.sh waits with a child,
    /// interrupt.sh ignores the request, cleanup.sh exits 3.</summary>
    private static string MakePackage(string directory)
    {
        var source = Path.Combine(directory, "package");
        Directory.CreateDirectory(source);
        foreach (var script in new[] { "init", "notify", "run", "interrupt", "cleanup" })
        {
            var extra = script switch { "run" => "sleep 4242 & wait\n", "interrupt" => "sleep 4243\n", "cleanup" => "exit 3\n", _ => "" };
            File.WriteAllText(Path.Combine(source, script + ".sh"),
                $"echo \"Executing script {script}.sh\"\necho \"Parameters ($#): $@\"\necho \"My IP is $CPS_AGENT_IP\"\necho \"My role is $CPS_AGENT_ROLE\"\ncat \"$CPS_AGENTS_FILE\"; echo\n{extra}");
        }
        var archive = Path.Combine(directory, "test-code.tar.gz");
        HostTool.Run("tar", "-C", source, "-czf", archive, ".");
        return archive;
    }

    private static async Task<string> StatusAsync(Sandbox sandbox, string agent, string script)
    {
        var status = await sandbox.CpsToolsOkAsync("generic", "get_script_status", "1", "1");
        var section = status[status.IndexOf($"Agent {agent}:", StringComparison.Ordinal)..];
        return Regex.Match(section, $@"  {Regex.Escape(script)} +(.+)\n").Groups[1].Value;
    }

    private static async Task WaitForStatusAsync(Sandbox sandbox, string agent, string script, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        while ((status = await StatusAsync(sandbox, agent, script)) != expected && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(expected, status);
    }
}
