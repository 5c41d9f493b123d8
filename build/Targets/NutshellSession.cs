using System.Diagnostics;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The seeds' session inside a booted Nutshell, as the stack user over SSH: the first boot's set-up, an application
/// with helloworld, then generic with an uploaded code version whose run.sh prints its IP and role, grown and shrunk,
/// removed, stopped; and the director reached from the host through a forwarded port, its certificate checked by
/// curl against the CA the machine made at first boot. Each step's time is printed.
/// </summary>
internal static class NutshellSession
{
    public static readonly HostTool Curl = new("curl", "curl");

    /// <summary>The pool's second address: the manager takes the first (192.168.56.10), helloworld's agent this one.</summary>
    public const string FirstAgentAddress = "192.168.56.11";

    private static readonly TimeSpan FirstBootTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The session, then the driver conformance cases against the libvirt driver, then a power cycle.</summary>
    public static async Task RunAsync(NutshellMachine machine, Func<string, Task<CommandResult>> ssh)
    {
        try
        {
            await SessionAsync(ssh, machine, machine.WorkDirectory);
            await new NutshellConformance(ssh).RunAsync("conformance");
            await PowerCycleAsync(machine, ssh);
        }
        catch (Exception e) when (e is BuildException or ConPaaS.Testing.ConformanceException)
        {
            var journal = await ssh($"{NutshellMachine.Sudo} journalctl --no-pager -o cat -u cpsdirector -u conpaas-firstboot -u cpsfrontend | tail -n 40");
            var what = e is BuildException ? e.Message : $"driver conformance (libvirt, in the Nutshell): {e.Message}";
            throw new BuildException($"{what}\nthe journal of the director, the first boot and the frontend ends with:\n{journal.StandardOutput.TrimEnd()}");
        }
    }

    private static async Task SessionAsync(Func<string, Task<CommandResult>> ssh, NutshellMachine machine, string work)
    {
        var (directorPort, agentPort) = (machine.DirectorPort, machine.AgentPort);
        var clock = Stopwatch.StartNew();
        // The first boot's set-up ends with stack's certificate (no D-Bus here for an unprivileged systemctl to ask).
        await WaitAsync(ssh, "test -s ~/.conpaas/cert.pem && echo ready", "ready", FirstBootTimeout, "certificate for stack from the first boot's set-up (conpaas-firstboot.service)");
        BuildContext.Log($"  first boot set-up done after {clock.Elapsed.TotalSeconds:0.0} s more");
        var ca = Path.Combine(work, "nutshell-ca.pem");
        File.WriteAllText(ca, await StepAsync(ssh, "cat ~/.conpaas/ca_cert.pem", "BEGIN CERTIFICATE"));

        await StepAsync(ssh, "cps-tools application create \"First app\"", "Application 'First app' created with id 1.");
        await StepAsync(ssh, "cps-tools application start 1", "done.");
        await StepAsync(ssh, "cps-tools service add helloworld 1", "successfully added to application 1 with id 1.");
        await StepAsync(ssh, "cps-tools service start 1 1", "Service 1 is starting... done.");
        await StepAsync(ssh, "cps-tools helloworld get_helloworld 1 1", $"Hello World from agent libvirt-00000002 at {FirstAgentAddress}");
        await ReachAgentFromHostAsync(agentPort, ca);
        await LogInToFrontendFromHostAsync(machine.FrontendPort, ca, work);

        // Containers outlive the director: restarted, it finds them again and the application carries on.
        await StepAsync(ssh, $"{NutshellMachine.Sudo} systemctl restart cpsdirector && echo restarted", "restarted");
        await WaitAsync(ssh, "cps-tools application list", "RUNNING", TimeSpan.FromSeconds(90), "application RUNNING after the director's restart");
        await StepAsync(ssh, "cps-tools helloworld get_helloworld 1 1", $"at {FirstAgentAddress}");

        // run.sh says where it runs, then tries what the hostile probe tried on the local driver (issue 11): the
        // director's CA key and database, other nodes' files, the host's accounts. In a container none is there.
        await StepAsync(ssh, "mkdir -p /tmp/first-code && cat > /tmp/first-code/run.sh <<'EOF'\n" + ProbeScript + "EOF\n" +
                             "tar -C /tmp/first-code -czf /tmp/first-code.tar.gz . && echo packed", "packed");
        await StepAsync(ssh, "cps-tools service add generic 1", "with id 2.");
        await StepAsync(ssh, "cps-tools service start 1 2", "Service 2 is starting... done.");
        var uploaded = await StepAsync(ssh, "cps-tools generic upload_code 1 2 /tmp/first-code.tar.gz", "uploaded");
        var version = System.Text.RegularExpressions.Regex.Match(uploaded, "code-\\w{6}").Value;
        await StepAsync(ssh, $"cps-tools generic enable_code 1 2 {version}", $"{version} enabled");
        await StepAsync(ssh, "cps-tools generic run 1 2", "run.sh started on 1 agents");
        var nodes = await StepAsync(ssh, "cps-tools generic list_nodes 1 2", " master ");
        var master = nodes.Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        if (!nodes.Contains(" 192.168.56.", StringComparison.Ordinal)) throw new BuildException($"session: the nodes have no addresses from the pool:\n{nodes}");
        var output = await WaitAsync(ssh, $"cps-tools generic get_agent_log 1 2 {master} -f agent.out", "probes done", TimeSpan.FromSeconds(60), "run.sh's output in the agent's log");
        if (!output.Contains(" as master") || output.Contains("LEAK-") || System.Text.RegularExpressions.Regex.Matches(output, "SAFE-").Count != 4)
            throw new BuildException($"session: run.sh in a container said:\n{output.Trim()}");
        BuildContext.Log("           run.sh ran as master; the probes found nothing of the director's, other nodes' or the host's");
        await StepAsync(ssh, "cps-tools generic add_nodes 1 2 --count 1", "");
        await StepAsync(ssh, "cps-tools service list_nodes 1 2", " node ");
        await StepAsync(ssh, "cps-tools generic remove_nodes 1 2 --count 1", "");
        await StepAsync(ssh, "cps-tools service remove 1 1", "has been successfully removed.");

        // php in a container: nginx, php-fpm and memcached from the services image, run by the agent as root, the
        // proxy on port 80 of its pool address, fetched from inside the Nutshell.
        await StepAsync(ssh, "cps-tools php add 1", "with id 3.");
        await StepAsync(ssh, "cps-tools php start 1 3", "Service 3 is starting... done.");
        var site = (await StepAsync(ssh, "cps-tools php get_url 1 3", "http://192.168.56.")).Trim();
        await StepAsync(ssh, $"curl -sS --max-time 30 {site}", "Welcome to ConPaaS");
        await StepAsync(ssh, "cps-tools service remove 1 3", "has been successfully removed.");

        // Service ids are reused once removed: java and then mysql are service 3 again.
        // java in a container: Tomcat from the services image (as www-data) behind the agent's nginx.
        await WithServerLogsAsync(ssh, 3, async () =>
        {
            await StepAsync(ssh, "cps-tools java add 1", "with id 3.");
            await StepAsync(ssh, "cps-tools java start 1 3", "Service 3 is starting... done.");
            var shop = (await StepAsync(ssh, "cps-tools java get_url 1 3", "http://192.168.56.")).Trim();
            await StepAsync(ssh, $"curl -sS --max-time 60 {shop}", "Apache Tomcat/10");
            await StepAsync(ssh, "cps-tools service remove 1 3", "has been successfully removed.");
        });

        // mysql in a container: MariaDB with Galera, its password reset, a dump loaded and downloaded back.
        await WithServerLogsAsync(ssh, 3, async () =>
        {
            await StepAsync(ssh, "cps-tools mysql add 1", "with id 3.");
            await StepAsync(ssh, "cps-tools mysql start 1 3", "Service 3 is starting... done.");
            await StepAsync(ssh, "cps-tools service get_state 1 3", "connect: mysql -h 192.168.56.");
            await StepAsync(ssh, "cps-tools mysql set_password 1 3 nutshell-password", "Password updated successfully");
            await StepAsync(ssh, "printf 'CREATE DATABASE notes;\\nCREATE TABLE notes.n (id INT PRIMARY KEY, t TEXT);\\nINSERT INTO notes.n VALUES (1, 42);\\n' > notes.sql && cps-tools mysql load_dump 1 3 notes.sql", "notes.sql loaded");
            await StepAsync(ssh, "cps-tools mysql dump 1 3", "INSERT INTO `n` VALUES");
            await StepAsync(ssh, "cps-tools mysql get_stats 1 3", "Synced");
            await StepAsync(ssh, "cps-tools service remove 1 3", "has been successfully removed.");
        });

        await ReachDirectorFromHostAsync(directorPort, ca);
        await StepAsync(ssh, "cps-tools application stop 1", "");
        await StepAsync(ssh, "cps-tools application list", "STOPPED");
        BuildContext.Log($"SESSION the seeds' session in the Nutshell: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// Powered off with an application running and on again: the director comes back with its database, shows the
    /// application whose containers went with the machine as STOPPED, and starts it again. Prints the time from
    /// power-on to the director answering.
    /// </summary>
    private static async Task PowerCycleAsync(NutshellMachine machine, Func<string, Task<CommandResult>> ssh)
    {
        await StepAsync(ssh, "cps-tools application start 1", "done.");
        await machine.PowerCycleAsync();
        await WaitAsync(ssh, "cps-tools application list", "First app", TimeSpan.FromMinutes(3), "director answering after power-on");
        BuildContext.Log($"POWERON power-on to the director answering: {machine.Uptime.TotalSeconds:0.0} s ({machine.Accelerator.ToUpperInvariant()})");
        await StepAsync(ssh, "cps-tools application list", "STOPPED");
        await StepAsync(ssh, "cps-tools application start 1", "done.");
        await StepAsync(ssh, "cps-tools service start 1 2", "Service 2 is starting... done.");
    }

    /// <summary>The director at the forwarded port, trusted through the CA stack's set-up received: the first boot made a
    /// certificate that names 127.0.0.1, so a forwarded port validates.</summary>
    private static async Task ReachDirectorFromHostAsync(int directorPort, string ca)
    {
        var clock = Stopwatch.StartNew();
        var version = await Curl.Command("-sS", "--fail", "--cacert", ca, $"https://127.0.0.1:{directorPort}/version").RunAsync(CancellationToken.None, allowFailure: true);
        if (!version.Succeeded) throw new BuildException($"session: the director is not reachable from the host at 127.0.0.1:{directorPort} with its CA: {version.StandardError.Trim()}");
        BuildContext.Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  host: curl --cacert <first boot's CA> https://127.0.0.1:{directorPort}/version -> {version.StandardOutput.Trim()}");
    }

    /// <summary>
    /// The web frontend at https://192.168.56.2/ through the forward, as a browser would use it, with curl (the
    /// first boot's CA checks its certificate): the login page's anti-forgery token and cookie, the login form as
    /// user test, then the dashboard, which must list the application cps-tools created.
    /// </summary>
    private static async Task LogInToFrontendFromHostAsync(int frontendPort, string ca, string work)
    {
        var clock = Stopwatch.StartNew();
        var jar = Path.Combine(work, "frontend-cookies.txt");
        File.Delete(jar);
        var url = $"https://127.0.0.1:{frontendPort}";
        async Task<string> CurlAsync(params string[] arguments)
        {
            var result = await Curl.Command(["-sS", "--fail", "--cacert", ca, "-c", jar, "-b", jar, .. arguments]).RunAsync(CancellationToken.None, allowFailure: true);
            if (!result.Succeeded) throw new BuildException($"session: the frontend at 192.168.56.2:443 (127.0.0.1:{frontendPort}) failed: {result.StandardError.Trim()}");
            return result.StandardOutput;
        }
        var login = await CurlAsync($"{url}/login");
        var token = System.Text.RegularExpressions.Regex.Match(login, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        if (token.Length == 0) throw new BuildException("session: the frontend's login page carries no anti-forgery token");
        await CurlAsync("--data-urlencode", $"__RequestVerificationToken={token}", "--data", "username=test", "--data", "password=password", $"{url}/login");
        var dashboard = await CurlAsync($"{url}/");
        if (!dashboard.Contains(">First app</a>") || !dashboard.Contains("data-live=\"credit\""))
            throw new BuildException($"session: logged in to the frontend as test, the dashboard does not list 'First app':\n{dashboard}");
        BuildContext.Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  host: https://127.0.0.1:{frontendPort}/ (192.168.56.2:443): logged in as test, the dashboard lists 'First app'");
    }

    /// <summary>The agent at its own pool address, reached from the host through a forward to 192.168.56.11: openssl
    /// (an oracle we did not write) checks that its certificate chains to the first boot's CA and names the agent.</summary>
    private static async Task ReachAgentFromHostAsync(int agentPort, string ca)
    {
        var clock = Stopwatch.StartNew();
        var handshake = await (ConPaaS.Builder.Stages.CustomizeStage.Openssl.Command("s_client", "-connect", $"127.0.0.1:{agentPort}", "-CAfile", ca, "-verify_return_error", "-brief")
            with { StandardInput = [] }).RunAsync(CancellationToken.None, allowFailure: true);
        var said = handshake.StandardOutput + handshake.StandardError;
        if (!said.Contains("Verification: OK") || !said.Contains("libvirt-00000002"))
            throw new BuildException($"session: the agent at {FirstAgentAddress} is not reachable from the host through 127.0.0.1:{agentPort} with a certificate from the Nutshell's CA:\n{said.Trim()}");
        BuildContext.Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  host: openssl s_client 127.0.0.1:{agentPort} -> {FirstAgentAddress}:5555, certificate of libvirt-00000002 verified");
    }

    private static async Task<string> StepAsync(Func<string, Task<CommandResult>> ssh, string command, string expected)
    {
        var clock = Stopwatch.StartNew();
        var result = await ssh(command);
        var output = result.StandardOutput + result.StandardError;
        if (!result.Succeeded || !output.Contains(expected, StringComparison.Ordinal))
            throw new BuildException($"session: '{command}' exited with {result.ExitCode}{(expected.Length > 0 ? $", expected '{expected}'" : "")}:\n{output.TrimEnd()}");
        BuildContext.Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  {command}{(command.StartsWith("cps-tools", StringComparison.Ordinal) ? "\n           " + FirstLine(output) : "")}");
        return result.StandardOutput;
    }

    /// <summary>Runs a service's steps; when one fails, the failure carries the service's agents' logs and their
    /// servers' (nginx, Tomcat, MariaDB), which the director's journal does not have.</summary>
    private static async Task WithServerLogsAsync(Func<string, Task<CommandResult>> ssh, int sid, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (BuildException failure)
        {
            var logs = new System.Text.StringBuilder();
            var nodes = await ssh($"cps-tools --json service list_nodes 1 {sid}");
            foreach (System.Text.RegularExpressions.Match agent in System.Text.RegularExpressions.Regex.Matches(nodes.StandardOutput, "\"id\": *\"([^\"]+)\""))
                foreach (var log in new[] { "agent.log", "agent.err", "nginx-error.log", "nginx.out", "tomcat.log", "mariadb.err", "mariadb.out", "haproxy.log" })
                {
                    var text = await ssh($"cps-tools service get_agent_log 1 {sid} {agent.Groups[1].Value} -f {log} | tail -n 30");
                    logs.Append($"--- {agent.Groups[1].Value} {log}:\n{text.StandardOutput}{text.StandardError}");
                }
            throw new BuildException($"{failure.Message}\n{logs}");
        }
    }

    private const string ProbeScript = """
        echo "run.sh at $CPS_AGENT_IP as $CPS_AGENT_ROLE"
        probe() { if ( eval "$2" ) >/dev/null 2>&1; then echo "LEAK-$1"; else echo "SAFE-$1"; fi; }
        probe ca-key 'head -c 40 /var/lib/cpsdirector/certs/ca_key.pem'
        probe database 'head -c 16 /var/lib/cpsdirector/director.db'
        probe other-nodes 'ls /var/lib/conpaas/nodes | grep .'
        probe host-accounts 'grep -q "^stack:" /etc/passwd'
        echo "probes done"

        """;

    private static async Task<string> WaitAsync(Func<string, Task<CommandResult>> ssh, string command, string expected, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        CommandResult result;
        while (!(result = await ssh(command)).StandardOutput.Contains(expected, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout)
                throw new BuildException($"session: no {what} within {timeout.TotalSeconds:0} s; '{command}' says:\n{(result.StandardOutput + result.StandardError).TrimEnd()}");
            await Task.Delay(1000);
        }
        BuildContext.Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  {command} -> {what}");
        return result.StandardOutput;
    }

    private static string FirstLine(string text) => text.TrimStart().Split('\n')[0];
}
