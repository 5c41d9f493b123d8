using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Platform.Manifests;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Mysql;

/// <summary>
/// mysql: a multi-master MariaDB Galera cluster of <c>mysql</c> agents, and optionally <c>glb</c> agents balancing
/// client connections over them (HAProxy: the original's glb is not packaged in Debian). The first agent bootstraps
/// the cluster and creates the user <c>mysqldb</c> with a random password nobody is told (the seeds: reset it first);
/// each later one joins by itself, one at a time (each receives the state from a donor). A node leaves the cluster
/// cleanly before it is removed; one that dies is dropped by Galera, and the others go on taking writes while they
/// are a majority.
/// </summary>
public sealed class MysqlManager(ServiceContext context) : ServiceManager(ServiceTypes.Mysql, context)
{
    [ModuleInitializer]
    internal static void Register() => ServiceManagers.Register(ServiceTypes.Mysql, c => new MysqlManager(c));

    private const string Mysql = "mysql", Glb = "glb";
    private const int Port = 3306;
    /// <summary>Larger dumps go straight to the database with the mysql client, as the seeds advise.</summary>
    public const long MaxDumpBytes = 32L << 20;

    protected override IReadOnlyList<string> RolesToAdd(RpcCall call) => RolesToAddPerRole(call, Mysql);

    protected override IReadOnlyList<AgentNode> NodesToRemove(RpcCall call) => NodesToRemovePerRole(call, Mysql);

    private IReadOnlyList<AgentNode> Databases => [.. Nodes.Where(n => n.Holds(Mysql) && !IsDead(n))];

    /// <summary>The command users connect with: through the first glb when there is one, else to the first node.</summary>
    protected override JsonObject ServiceInfo()
    {
        if (State != LifecycleState.Running) return [];
        var entry = Nodes.FirstOrDefault(n => n.Holds(Glb)) ?? Databases.FirstOrDefault();
        return entry is null ? [] : new JsonObject { ["connect"] = $"mysql -h {entry.Ip} -P {Port} -u mysqldb -p" };
    }

    protected override async Task NodesAddedAsync(IReadOnlyList<AgentNode> added, IReadOnlyList<AgentNode> existing, CancellationToken cancellationToken)
    {
        var cluster = existing.Where(n => n.Holds(Mysql) && !IsDead(n)).Select(n => n.Ip).ToList();
        foreach (var node in added.Where(n => n.Holds(Mysql)))
        {
            var bootstrap = cluster.Count == 0;
            cluster.Add(node.Ip);
            var parameters = new JsonObject { ["role"] = Mysql, ["cluster"] = Addresses(cluster), ["bootstrap"] = bootstrap };
            if (bootstrap) parameters["password"] = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
            await AgentAsync(node, "configure", parameters, cancellationToken);
            Log.Write($"service {Id}: {node.Id} {(bootstrap ? "bootstrapped the cluster" : "joined the cluster")}");
        }
        await ConfigureBalancersAsync(cancellationToken);
    }

    protected override async Task NodesRemovingAsync(IReadOnlyList<AgentNode> removed, CancellationToken cancellationToken)
    {
        foreach (var node in removed.Where(n => n.Holds(Mysql) && !IsDead(n)))
            await AgentAsync(node, "leave", new JsonObject(), cancellationToken);
    }

    protected override Task NodesRemovedAsync(IReadOnlyList<AgentNode> remaining, CancellationToken cancellationToken) => ConfigureBalancersAsync(cancellationToken);

    /// <summary>Every glb balances over the cluster's live nodes; every node knows them all (for a restart).</summary>
    private async Task ConfigureBalancersAsync(CancellationToken cancellationToken)
    {
        var databases = Databases.Select(n => n.Ip).ToList();
        await Task.WhenAll(Nodes.Where(n => n.Holds(Glb) && !IsDead(n)).Select(n =>
            AgentAsync(n, "configure", new JsonObject { ["role"] = Glb, ["nodes"] = Addresses(databases) }, cancellationToken)));
    }

    protected override async Task<object?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "set_password" => await SetPasswordAsync(call.String("user"), call.String("password"), cancellationToken),
        "load_dump" => await LoadDumpAsync(call.File("mysqldump_file"), cancellationToken),
        "sqldump" => await OnADatabaseAsync("sqldump", new JsonObject(), cancellationToken),
        "get_stats" => await StatsAsync(cancellationToken),
        _ => null,
    };

    /// <summary>Any live node will do: what one node writes, every node has.</summary>
    private async Task<JsonNode?> OnADatabaseAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var node = RunningDatabase();
        return await AgentAsync(node, method, parameters, cancellationToken);
    }

    private Task<JsonNode?> SetPasswordAsync(string user, string password, CancellationToken cancellationToken) =>
        OnADatabaseAsync("set_password", new JsonObject { ["user"] = user, ["password"] = password }, cancellationToken);

    private async Task<object?> LoadDumpAsync(IFormFile dump, CancellationToken cancellationToken)
    {
        if (dump.Length > MaxDumpBytes)
            throw new RpcException($"the dump is {dump.Length / (1 << 20)} MiB; at most {MaxDumpBytes >> 20} MiB is loaded this way. Load larger dumps with the mysql client: {ServiceInfo()["connect"]} < {dump.FileName}");
        await using var content = dump.OpenReadStream();
        return await LoadDumpAsync(content, dump.FileName, cancellationToken);
    }

    private async Task<object?> LoadDumpAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var node = RunningDatabase();
        using var upload = JsonRpc.Upload(0, "load_dump", new Dictionary<string, string>(), "mysqldump_file", fileName, new StreamContent(content));
        await AgentAsync(node, "load_dump", new JsonObject(), cancellationToken, upload);
        Log.Write($"service {Id}: dump {fileName} loaded");
        return true;
    }

    /// <summary>A manifest's Password, then its Dump (the seeds' MediaWiki example gives both).</summary>
    public override async Task ApplyManifestAsync(ManifestService wanted, Func<ManifestSource, Task<byte[]>> fetch, CancellationToken cancellationToken)
    {
        if (wanted.Password is { } password) await SetPasswordAsync("mysqldb", password, cancellationToken);
        if (wanted.Dump is { } dump)
        {
            using var content = new MemoryStream(await fetch(dump), writable: false);
            await LoadDumpAsync(content, dump.FileName, cancellationToken);
        }
    }

    /// <summary>The Performance Monitor: each node's numbers, the cluster's queries per second and receive-queue average.</summary>
    private async Task<object> StatsAsync(CancellationToken cancellationToken)
    {
        var databases = RunningDatabases();
        var stats = await Task.WhenAll(databases.Select(n => AgentAsync(n, "get_stats", new JsonObject(), cancellationToken)));
        var nodes = new JsonArray();
        for (var i = 0; i < databases.Count; i++)
        {
            var node = (JsonObject)stats[i]!.DeepClone();
            node["id"] = databases[i].Id;
            node["ip"] = databases[i].Ip;
            nodes.Add(node);
        }
        double Sum(string field) => Math.Round(stats.Sum(s => s?[field]?.GetValue<double>() ?? 0), 2);
        return new JsonObject
        {
            ["queriesPerSecond"] = Sum("queriesPerSecond"),
            ["recvQueueAvg"] = Math.Round(Sum("recvQueueAvg") / Math.Max(1, databases.Count), 3),
            ["nodes"] = nodes,
        };
    }

    private AgentNode RunningDatabase() => RunningDatabases()[0];

    private IReadOnlyList<AgentNode> RunningDatabases() =>
        State == LifecycleState.Running && Databases.Count > 0 ? Databases : throw new RpcException($"service {Id} is {State}; its databases answer once it runs");

    private static JsonArray Addresses(IEnumerable<string> addresses) => [.. addresses.Select(a => (JsonNode)a)];
}
