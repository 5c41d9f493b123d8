using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using ConPaaS.Common;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Mysql;

/// <summary>
/// The mysql agent: a Galera node (MariaDB from Debian) or a glb (HAProxy), run as the agent's contained children on
/// its own address. The first node bootstraps the cluster and creates <c>mysqldb</c>; every later one joins by itself
/// (Galera's state transfer). The agent reaches its own MariaDB over the Unix socket as the OS user it runs as (the
/// only administrative account), and passes SQL on standard input, so no password is ever on a command line.
/// </summary>
public sealed class MysqlAgent(AgentFiles files, NodeContext context) : AgentService(files, context)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Mysql, (files, context) => new MysqlAgent(files, context));

    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(120);
    private static readonly string[] SystemDatabases = ["information_schema", "performance_schema", "mysql", "sys"];

    private readonly MysqlConfigs _configs = new(files);
    private readonly MysqlStats _stats = new();
    private BackgroundProcess? _mariadb, _haproxy;

    private string Ip => Context.Listen.Address.ToString();
    /// <summary>MariaDB's administrative account: the OS user the agent runs as, authenticated by the socket.</summary>
    private static string AdminUser => Environment.UserName;

    public override async Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "configure" => await SerializedAsync(() => ConfigureAsync(call, cancellationToken)),
        "leave" => await SerializedAsync(() => LeaveAsync()),
        "set_password" => await SerializedAsync(() => SetPasswordAsync(call.String("user"), call.String("password"), cancellationToken)),
        "load_dump" => await SerializedAsync(() => LoadDumpAsync(call.File("mysqldump_file"), cancellationToken)),
        "sqldump" => await SerializedAsync(() => DumpAsync(cancellationToken)),
        "get_stats" => await StatsAsync(cancellationToken),
        _ => null,
    };

    /// <summary>
    /// role mysql: writes the node's configuration and, the first time, starts MariaDB: bootstrapping a new cluster
    /// (<c>bootstrap</c>, with <c>password</c> for mysqldb) or joining the nodes of <c>cluster</c>, and waits until it
    /// is synced. Later calls only rewrite the configuration (the cluster's addresses, for a restart). role glb:
    /// (re)writes HAProxy's list of nodes and starts or reloads it.
    /// </summary>
    private async Task<JsonNode?> ConfigureAsync(RpcCall call, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_configs.Run);
        Directory.CreateDirectory(_configs.Logs);
        var role = call.String("role");
        var addresses = (call.Params[role == "glb" ? "nodes" : "cluster"] as JsonArray ?? []).Select(n => n?.ToString() ?? "").Where(a => a.Length > 0).ToList();
        if (addresses.Count == 0) throw new RpcException($"configure of a {role} needs the cluster's node addresses");
        if (role == "glb") return await ConfigureBalancerAsync(addresses, cancellationToken);
        if (role != "mysql") throw new RpcException($"a mysql agent is a 'mysql' node or a 'glb', not '{role}'");

        AtomicFile.WriteAllText(_configs.MariadbConfig, _configs.Mariadb(Ip, addresses, "conpaas-" + Context.ServiceId.ToString(CultureInfo.InvariantCulture)));
        if (_mariadb is not null && !_mariadb.Exited.IsCompleted) return true;

        var bootstrap = call.Params["bootstrap"]?.GetValue<bool>() == true;
        await InstallAsync(cancellationToken);
        string[] user = Environment.IsPrivilegedProcess ? ["--user=mysql"] : [];
        string[] arguments = [$"--defaults-file={_configs.MariadbConfig}", .. user, .. bootstrap ? new[] { "--wsrep-new-cluster" } : []];
        _mariadb = Start(new Command("mariadbd", arguments).WithEnvironment("HOME", _configs.Home), "mariadb.out");
        await SyncedAsync(cancellationToken);
        if (bootstrap)
        {
            var password = call.String("password");
            await SqlAsync($"CREATE USER 'mysqldb'@'%' IDENTIFIED BY {Literal(password)};\nGRANT ALL PRIVILEGES ON *.* TO 'mysqldb'@'%' WITH GRANT OPTION;", cancellationToken);
        }
        AgentLog.Write(Files, $"mysql: {(bootstrap ? "bootstrapped the cluster" : "joined the cluster of " + string.Join(" ", addresses))}");
        return true;
    }

    /// <summary>A fresh data directory whose administrator is the agent's own OS user over the socket.</summary>
    private async Task InstallAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(Path.Combine(_configs.Data, "mysql"))) return;
        Directory.CreateDirectory(_configs.Data);
        string[] user = Environment.IsPrivilegedProcess ? ["--user=mysql"] : [];
        if (Environment.IsPrivilegedProcess)
            await new Command("chown", "-R", "mysql:mysql", _configs.Home).RunAsync(cancellationToken);
        var installed = await new Command("mariadb-install-db", ["--no-defaults", $"--datadir={_configs.Data}", .. user,
            "--auth-root-authentication-method=socket", $"--auth-root-socket-user={AdminUser}", "--skip-test-db"]).RunAsync(cancellationToken, allowFailure: true);
        if (!installed.Succeeded) throw new RpcException($"mariadb-install-db failed: {installed.StandardError.Trim()}");
    }

    /// <summary>Waits until the node says it is synced with the cluster (a joiner first receives the state).</summary>
    private async Task SyncedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SyncTimeout;
        var delay = new PollingDelay();
        while (true)
        {
            if (_mariadb!.Exited.IsCompleted) throw new RpcException($"MariaDB exited at start (code {await _mariadb.Exited}); see mariadb.err on the agent");
            if (File.Exists(_configs.Socket))
            {
                var state = await new Command("mariadb", Client("-e", "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'")).RunAsync(cancellationToken, allowFailure: true);
                if (state.Succeeded && state.StandardOutput.Contains("Synced")) return;
            }
            if (DateTime.UtcNow > deadline) throw new RpcException($"MariaDB did not join the cluster within {SyncTimeout.TotalSeconds:0} s; see mariadb.err on the agent");
            await delay.WaitAsync(cancellationToken);
        }
    }

    private async Task<JsonNode?> ConfigureBalancerAsync(IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        AtomicFile.WriteAllText(_configs.HaproxyConfig, _configs.Haproxy(Ip, nodes));
        if (_haproxy is null || _haproxy.Exited.IsCompleted)
        {
            // -W: a master that reloads its workers on SIGUSR2; -db: in the foreground, as the agent's child.
            _haproxy = Start(new Command("haproxy", "-W", "-db", "-f", _configs.HaproxyConfig), "haproxy.log");
            await WaitForAsync(() => Listening(MysqlConfigs.Port), "HAProxy", _haproxy, cancellationToken);
        }
        else if (!ProcessSignal.Send(_haproxy, ProcessSignal.User2))
            throw new RpcException("HAProxy could not be told to reload");
        AgentLog.Write(Files, $"mysql: glb over {string.Join(" ", nodes)}");
        return true;
    }

    /// <summary>Leaves the cluster cleanly before the node goes (a node that vanishes is only suspected, for seconds).</summary>
    private async Task<JsonNode?> LeaveAsync()
    {
        if (_mariadb is { } mariadb && !mariadb.Exited.IsCompleted && ProcessSignal.Send(mariadb, ProcessSignal.Terminate))
            if (await Task.WhenAny(mariadb.Exited, Task.Delay(TimeSpan.FromSeconds(30))) != mariadb.Exited)
                await mariadb.KillAsync();
        _mariadb = null;
        return true;
    }

    private async Task<JsonNode?> SetPasswordAsync(string user, string password, CancellationToken cancellationToken)
    {
        if (user != "mysqldb") throw new RpcException($"only the password of 'mysqldb' is set here, not of '{user}'");
        if (MysqlPassword.Problem(password) is { } problem) throw new RpcException($"the password {problem}");
        await SqlAsync($"ALTER USER 'mysqldb'@'%' IDENTIFIED BY {Literal(password)};", cancellationToken);
        AgentLog.Write(Files, "mysql: the password of mysqldb was set");
        return true;
    }

    /// <summary>Runs an uploaded dump through the mariadb client; its errors (with the dump's line) are the answer.</summary>
    private async Task<JsonNode?> LoadDumpAsync(IFormFile dump, CancellationToken cancellationToken)
    {
        var bytes = new byte[dump.Length];
        await using (var stream = dump.OpenReadStream())
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        var loaded = await new Command("mariadb", Client()) { StandardInput = bytes }.RunAsync(cancellationToken, allowFailure: true);
        if (!loaded.Succeeded) throw new RpcException($"the dump was not loaded: {loaded.StandardError.Trim()}");
        AgentLog.Write(Files, $"mysql: loaded a dump of {bytes.Length} bytes");
        return true;
    }

    /// <summary>The users' databases (not MariaDB's own), as mariadb-dump writes them.</summary>
    private async Task<JsonNode?> DumpAsync(CancellationToken cancellationToken)
    {
        var listed = await SqlAsync("SHOW DATABASES;", cancellationToken);
        var databases = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Except(SystemDatabases).ToArray();
        var dump = databases.Length == 0
            ? "-- ConPaaS mysql: no databases yet\n"
            : (await new Command("mariadb-dump", [$"--socket={_configs.Socket}", $"--user={AdminUser}", "--single-transaction", "--routines", "--events", "--databases", .. databases])
                .RunAsync(cancellationToken)).StandardOutput;
        return new JsonObject { ["filename"] = "dump.sql", ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(dump)) };
    }

    /// <summary>A fresh sample at most every <see cref="MysqlStats.Window"/>; askers in between (a page view, cps-tools)
    /// get the last one, so each sample's rates cover a window of their own and asking costs no query.</summary>
    private async Task<JsonNode?> StatsAsync(CancellationToken cancellationToken)
    {
        if (_stats.Recent() is { } recent) return recent;
        var status = new Dictionary<string, string>();
        if (_mariadb is not null && !_mariadb.Exited.IsCompleted)
        {
            var lines = await SqlAsync("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Uptime', 'wsrep_local_recv_queue_avg', 'wsrep_cluster_size', 'wsrep_local_state_comment', 'Threads_connected');", cancellationToken);
            foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (line.Split('\t') is [var name, var value]) status[name] = value;
        }
        return _stats.Sample(status);
    }

    private async Task<string> SqlAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await new Command("mariadb", Client("--batch", "--skip-column-names")) { StandardInput = Encoding.UTF8.GetBytes(sql) }
            .RunAsync(cancellationToken, allowFailure: true);
        if (!result.Succeeded) throw new RpcException($"MariaDB refused: {result.StandardError.Trim()}");
        return result.StandardOutput;
    }

    private string[] Client(params string[] more) => [$"--socket={_configs.Socket}", $"--user={AdminUser}", .. more];

    /// <summary>A SQL string literal (MariaDB's default escaping: backslash and quote).</summary>
    private static string Literal(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
