using System.Text.RegularExpressions;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>
/// What a user's code can reach on the local driver with the director running as root (as the tests do): its own
/// node, and nothing of the director's state, of other nodes or of other applications. Each probe prints SAFE or
/// LEAK; the attempts are the hostile probe's (issue 11), run by init.sh the way an attacker's package would.
/// </summary>
public class IsolationTests
{
    [Fact]
    public async Task A_users_script_reaches_nothing_of_the_director_nor_of_other_nodes_or_applications()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("first");
        await sandbox.CpsToolsOkAsync("application", "create", "second");
        await sandbox.CpsToolsOkAsync("application", "start", "2");
        var firstManager = sandbox.Sql("SELECT vmid FROM applications WHERE aid = 1");
        var state = sandbox.Directory;
        var probes = new Dictionary<string, string>
        {
            ["ca-key"] = $"head -c 40 {state}/certs/ca_key.pem",
            ["database"] = $"head -c 16 {state}/director.db",
            ["director-config"] = $"cat {state}/director.cfg",
            ["other-nodes"] = $"ls {state}/data/nodes | grep -v -x \"$(basename \"$HOME\")\"",
            ["manager-key"] = $"cat {state}/data/nodes/{firstManager}/certs/key.pem",
            // The director always runs on the host; a node's /proc shows only its own PID namespace.
            ["other-processes"] = "grep -qx cpsdirector /proc/[0-9]*/comm",
            ["host-accounts"] = "grep -v -e '^root:' -e '^nobody:' -e '^cps-app-' /etc/passwd",
            ["shared-tmp"] = $"touch /tmp/conpaas-probe-$CPS_AGENT_IP && ls /tmp/conpaas-probe-* | grep -v $CPS_AGENT_IP",
            ["root-home"] = "ls /root | grep .",
            ["write-outside"] = $"touch {Path.GetDirectoryName(Sandbox.Bin)}/conpaas-probe",
        };
        var script = string.Concat(probes.Select(p => $"if ( {p.Value} ) >/dev/null 2>&1; then echo LEAK-{p.Key}; else echo SAFE-{p.Key}; fi\n"))
                     + "echo \"uid=$(id -u) user=$(id -un) home=$HOME\"\necho own > \"$HOME/own-file\" && echo OWN-WRITE\n";
        var package = Path.Combine(sandbox.Home, "probe.tar.gz");
        Directory.CreateDirectory(Path.Combine(sandbox.Home, "probe"));
        File.WriteAllText(Path.Combine(sandbox.Home, "probe", "init.sh"), script);
        HostTool.Run("tar", "-C", Path.Combine(sandbox.Home, "probe"), "-czf", package, ".");

        var outputs = new List<string>();
        foreach (var app in new[] { "1", "2" })
        {
            await sandbox.CpsToolsOkAsync("service", "add", "generic", app);
            const string sid = "1"; // service ids count per application
            await sandbox.CpsToolsOkAsync("service", "start", app, sid);
            var version = Regex.Match(await sandbox.CpsToolsOkAsync("generic", "upload_code", app, sid, package), "code-\\w{6}").Value;
            await sandbox.CpsToolsOkAsync("generic", "enable_code", app, sid, version);
            var agent = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", app, sid)).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string output;
            while (!(output = await sandbox.CpsToolsOkAsync("generic", "get_agent_log", app, sid, agent, "-f", "agent.out")).Contains("OWN-WRITE") && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            outputs.Add(output);
        }

        foreach (var output in outputs)
        {
            Assert.DoesNotContain("LEAK-", output);
            Assert.Equal(probes.Count, Regex.Matches(output, "^SAFE-", RegexOptions.Multiline).Count);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", output);
        }
        // Each application has a user of its own, named in the node's own account files, at home in the node's directory.
        Assert.Matches(@"uid=1879048193 user=cps-app-1 home=\S+/data/nodes/local-\d{8}\n", outputs[0]);
        Assert.Matches(@"uid=1879048194 user=cps-app-2 home=\S+/data/nodes/local-\d{8}\n", outputs[1]);
        Assert.Empty(Directory.EnumerateFiles("/tmp", "conpaas-probe-*"));

        // The director's state is its alone, even where no namespace hides it.
        Assert.Equal("700", HostTool.Run("stat", "-c", "%a", state).Trim());
    }
}
