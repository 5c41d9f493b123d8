using System.Text.Json.Nodes;
using ConPaaS.Manager.Git;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Web;

/// <summary>
/// What php and java share (the original's "webservers"): the seeds' three roles, <c>proxy</c> (the entry point,
/// balancing), <c>web</c> (static files) and <c>backend</c> (the type's application server). The first agent holds all
/// three; the first extra backend takes the backend role off it, and it takes the role back when the last extra
/// backend goes. After every change each agent is told the whole layout (<c>configure</c>) and reconfigures its
/// servers in place; a code version reaches every agent before it becomes the one served.
/// </summary>
public abstract class WebManager(ServiceType type, ServiceContext context, IReadOnlyDictionary<string, string> defaultCode)
    : ServiceManager(type, context), ICodeService
{
    private const string Proxy = "proxy", Web = "web", Backend = "backend";
    private static readonly string AllRoles = string.Join(',', Proxy, Web, Backend);

    private readonly CodeVersions _codes = new(Path.Combine(context.StateDirectory, "code"), defaultCode);
    private string? _url;

    public CodeVersions Codes => _codes;

    protected override string RoleFor(int index) => index == 0 ? AllRoles : Backend;

    protected override JsonObject ServiceInfo() => _url is null ? [] : new JsonObject { ["url"] = _url };

    /// <summary>add_nodes with so many of each role (<c>--backend N --web N --proxy N</c>); a bare count adds backends.</summary>
    protected override IReadOnlyList<string> RolesToAdd(RpcCall call) => RolesToAddPerRole(call, Backend);

    /// <summary>A manifest's StartupInstances: so many of each role in all. More than one backend means that many extra
    /// agents, since the first agent then gives its backend role up; proxies and web servers count the first agent.</summary>
    public override IReadOnlyList<string> ExtraRoles(Platform.Manifests.ManifestService wanted)
    {
        int Count(string role) => wanted.CountOf(Type.Role(role)!);
        var backends = Count(Backend);
        return [.. Enumerable.Repeat(Backend, backends > 1 ? backends : 0),
                .. Enumerable.Repeat(Web, Math.Max(0, Count(Web) - 1)),
                .. Enumerable.Repeat(Proxy, Math.Max(0, Count(Proxy) - 1))];
    }

    protected override IReadOnlyList<AgentNode> NodesToRemove(RpcCall call) => NodesToRemovePerRole(call, Backend);

    protected override async Task NodesAddedAsync(IReadOnlyList<AgentNode> added, IReadOnlyList<AgentNode> existing, CancellationToken cancellationToken)
    {
        await Task.WhenAll(added.Select(async n =>
        {
            await SendCodeAsync(n, _codes, cancellationToken);
            await NodeAddedAsync(n, cancellationToken);
        }));
        await ConfigureAsync(cancellationToken);
    }

    protected override Task NodesRemovedAsync(IReadOnlyList<AgentNode> remaining, CancellationToken cancellationToken) => ConfigureAsync(cancellationToken);

    protected override async Task<object?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "enable_code" => await EnableAsync(call.String("codeVersionId"), cancellationToken),
        "get_url" => _url ?? throw new RpcException($"service {Id} is {State}; it has an address once it runs"),
        _ => await CodeMethods.TryDispatchAsync(this, Context, call, cancellationToken) ?? await WebDispatchAsync(call, cancellationToken),
    };

    /// <summary>The type's own methods; null for unknown ones.</summary>
    protected virtual Task<object?> WebDispatchAsync(RpcCall call, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <summary>A new agent has the code and is about to be configured (php tells it the debug mode).</summary>
    protected virtual Task NodeAddedAsync(AgentNode node, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every agent gets the version, then serves it (each switches in one rename; requests in flight finish).</summary>
    private async Task<object> EnableAsync(string version, CancellationToken cancellationToken)
    {
        var previous = _codes.Current;
        _codes.Enable(version);
        if (State == LifecycleState.Running)
        {
            try
            {
                await Task.WhenAll(Nodes.Select(n => SendCodeAsync(n, _codes, cancellationToken)));
            }
            catch (RpcException)
            {
                _codes.Enable(previous);
                throw;
            }
            Log.Write($"service {Id}: code version {version} served");
        }
        return new { codeVersionId = version };
    }

    /// <summary>
    /// Applies the seeds' rule (the first agent is a backend only while no other is), then tells every agent the
    /// layout: its own roles, the backends and web servers the proxies balance over, where sessions live.
    /// </summary>
    private async Task ConfigureAsync(CancellationToken cancellationToken)
    {
        var first = Nodes[0];
        var otherBackends = Nodes.Skip(1).Any(n => n.Holds(Backend));
        SetRole(first, otherBackends ? string.Join(',', Proxy, Web) : AllRoles);
        var nodes = Nodes;
        JsonArray Addresses(string role) => [.. nodes.Where(n => n.Holds(role)).Select(n => (JsonNode)n.Ip)];
        var answers = await Task.WhenAll(nodes.Select(n => AgentAsync(n, "configure", new JsonObject
        {
            ["roles"] = n.Role,
            ["backends"] = Addresses(Backend),
            ["webs"] = Addresses(Web),
            ["sessions"] = first.Ip, // php's memcached
        }, cancellationToken)));
        _url = answers[0]?["url"]?.ToString();
        Log.Write($"service {Id}: configured {nodes.Count} agents ({string.Join("; ", nodes.Select(n => $"{n.Id} {n.Role}"))}); served at {_url}");
    }
}
