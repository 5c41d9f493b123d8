using System.Globalization;
using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;
using static ConPaaS.Platform.Services.LifecycleState;

namespace ConPaaS.Manager.Services;

/// <summary>An agent node of a service, as the manager knows it. <see cref="Role"/> is one role, or several joined
/// by commas when one agent holds them (php's first agent: <c>proxy,web,backend</c>).</summary>
public sealed record AgentNode(string Id, string Ip, int Port, string Role, string Cloud)
{
    public string Address => $"{Ip}:{Port}";
    public JsonObject Info => new() { ["ip"] = Ip, ["role"] = Role, ["id"] = Id };
    public IReadOnlyList<string> Roles => Role.Split(',');
    public bool Holds(string role) => Roles.Contains(role);
}

/// <summary>
/// The manager half of a service type: its state, its agents, and the life cycle every type shares (start, stop,
/// add and remove nodes, logs). Operations that start or stop nodes run in the background; callers poll
/// get_service_info until the state is RUNNING (or STOPPED, or ERROR). A type adds its own methods and reacts to
/// nodes coming and going; see <see cref="HelloworldManager"/> and <see cref="GenericManager"/>.
/// </summary>
public abstract class ServiceManager(ServiceType type, ServiceContext context)
{
    private readonly SemaphoreSlim _busy = new(1, 1);
    private readonly List<AgentNode> _nodes = [];

    private string _state = Init;

    public long Id => context.Id;
    public ServiceType Type => type;
    public string Name => context.Name;
    public string Cloud => context.Cloud;

    /// <summary>One of <see cref="LifecycleState"/>; only the life cycle below moves it.</summary>
    public string State => Volatile.Read(ref _state);

    public string? LastError { get; private set; }

    /// <summary>The manifest's StartupScript: every agent added from now on runs it before anything else.</summary>
    public string? StartupScript { get; set; }

    protected NodeClients Clients => context.Clients;
    protected ManagerLog Log => context.Log;
    protected ServiceContext Context => context;

    public IReadOnlyList<AgentNode> Nodes
    {
        get { lock (_nodes) return _nodes.ToList(); }
    }

    /// <summary>
    /// Calls an agent of this service. An agent that does not answer (dead, or not listening yet) is an error naming
    /// it, never the connection failure itself (which would reach the caller as an internal error).
    /// </summary>
    protected async Task<JsonNode?> AgentAsync(AgentNode node, string method, JsonObject parameters, CancellationToken cancellationToken, HttpContent? upload = null)
    {
        try
        {
            return await Clients.CallAsync(node.Address, Roles.Agent, method, parameters, cancellationToken, upload);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException($"agent {node.Id} at {node.Address} does not answer{(IsDead(node) ? " (it is dead)" : "")}: {e.Message}");
        }
    }

    /// <summary>Sends the active code version to an agent (<c>update_code</c>, the archive as an upload).</summary>
    protected async Task SendCodeAsync(AgentNode node, CodeVersions codes, CancellationToken cancellationToken)
    {
        var version = codes.Find(codes.Current);
        await using var archive = File.OpenRead(codes.PathOf(version.CodeVersionId));
        using var upload = JsonRpc.Upload(0, "update_code", new Dictionary<string, string> { ["code_version"] = version.CodeVersionId },
            "code", version.Filename, new StreamContent(archive));
        await AgentAsync(node, "update_code", new JsonObject(), cancellationToken, upload);
    }

    /// <summary>The type's own methods; null when the method is not one of them.</summary>
    protected virtual Task<object?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <summary>New agents answer; <paramref name="existing"/> were there before.</summary>
    protected virtual Task NodesAddedAsync(IReadOnlyList<AgentNode> added, IReadOnlyList<AgentNode> existing, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Agents about to be removed, still running (mysql: they leave the cluster cleanly first).</summary>
    protected virtual Task NodesRemovingAsync(IReadOnlyList<AgentNode> removed, CancellationToken cancellationToken) => Task.CompletedTask;

    protected virtual Task NodesRemovedAsync(IReadOnlyList<AgentNode> remaining, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The role of the agent that will be the service's <paramref name="index"/>-th.</summary>
    protected virtual string RoleFor(int index) => Type.FirstRole.Name;

    /// <summary>The roles of the agents an add_nodes call asks for, one entry per new agent: <c>count</c> agents by
    /// <see cref="RoleFor"/> unless the type reads the call its own way (php: so many of each role).</summary>
    protected virtual IReadOnlyList<string> RolesToAdd(RpcCall call)
    {
        var count = Count(call);
        if (count < 1) throw new RpcException($"add_nodes takes a count from 1 to {ServiceRole.MaxAgents}");
        var existing = Nodes.Count;
        return [.. Enumerable.Range(existing, count).Select(RoleFor)];
    }

    /// <summary>The agents a remove_nodes call removes: the last <c>count</c>, never the first.</summary>
    protected virtual IReadOnlyList<AgentNode> NodesToRemove(RpcCall call)
    {
        var remove = Count(call);
        if (remove < 1 || remove > Nodes.Count - 1)
            throw new RpcException($"remove_nodes takes a count from 1 to {Nodes.Count - 1}; the first agent stays while the service runs");
        return [.. Nodes.Skip(1).TakeLast(remove)];
    }

    /// <summary>For types scaled per role (php and java: <c>--backend N --web N --proxy N</c>; mysql: <c>--mysql N --glb
    /// N</c>): the roles of so many new agents of each, as the original's clients send them (or inside <c>nodes</c>);
    /// a bare <c>count</c> adds agents of <paramref name="countRole"/>.</summary>
    protected IReadOnlyList<string> RolesToAddPerRole(RpcCall call, string countRole)
    {
        var roles = RoleCounts(call, countRole).SelectMany(w => Enumerable.Repeat(w.Key, w.Value)).ToList();
        if (roles.Count == 0) throw new RpcException($"add_nodes needs at least one node: {RoleOptions}");
        if (Nodes.Count + roles.Count > ServiceRole.MaxAgents) throw new RpcException($"a service has at most {ServiceRole.MaxAgents} agents");
        return roles;
    }

    /// <summary>remove_nodes of so many agents of each role, the latest first; the first agent always stays.</summary>
    protected IReadOnlyList<AgentNode> NodesToRemovePerRole(RpcCall call, string countRole)
    {
        var removed = new List<AgentNode>();
        foreach (var (role, count) in RoleCounts(call, countRole))
        {
            var candidates = Nodes.Skip(1).Where(n => n.Role == role).Reverse().Take(count).ToList();
            if (candidates.Count < count) throw new RpcException($"service {Id} has {candidates.Count} {role} agents besides the first; cannot remove {count}");
            removed.AddRange(candidates);
        }
        if (removed.Count == 0) throw new RpcException($"remove_nodes needs at least one node: {RoleOptions}");
        return removed;
    }

    private string RoleOptions => string.Join(" or ", Type.Roles.Select(r => $"--{r.Name} N"));

    private Dictionary<string, int> RoleCounts(RpcCall call, string countRole)
    {
        var source = call.Params["nodes"] as JsonObject ?? call.Params;
        var counts = new Dictionary<string, int>();
        foreach (var role in Type.Roles.Select(r => r.Name))
        {
            if (source[role] is not { } value) continue;
            if (value is not JsonValue number || !(number.TryGetValue<int>(out var n) || int.TryParse(number.ToString(), out n)) || n is < 0 or > ServiceRole.MaxAgents)
                throw new RpcException($"'{role}' must be a whole number from 0 to {ServiceRole.MaxAgents}");
            if (n > 0) counts[role] = n;
        }
        if (counts.Count == 0 && call.Params["count"] is not null) counts[countRole] = Count(call);
        return counts;
    }

    /// <summary>
    /// The agents a manifest's StartupInstances add to a started service, one role each: every role's count, less the
    /// one the first agent already holds (generic's master, or all three of php's roles on one agent).
    /// </summary>
    public virtual IReadOnlyList<string> ExtraRoles(Platform.Manifests.ManifestService wanted)
    {
        var first = RoleFor(0).Split(',');
        return [.. Type.Roles.SelectMany(r => Enumerable.Repeat(r.Name, Math.Max(0, wanted.CountOf(r) - (first.Contains(r.Name) ? 1 : 0))))];
    }

    /// <summary>What a manifest asks of the started service beyond code and agents (mysql: Password, Dump).</summary>
    public virtual Task ApplyManifestAsync(Platform.Manifests.ManifestService wanted, Func<Platform.Manifests.ManifestSource, Task<byte[]>> fetch,
        CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Gives an agent other roles (php moves the backend role off its first agent and back).</summary>
    protected void SetRole(AgentNode node, string role)
    {
        lock (_nodes)
        {
            var index = _nodes.FindIndex(n => n.Id == node.Id);
            if (index >= 0) _nodes[index] = _nodes[index] with { Role = role };
        }
    }

    /// <summary>Extra fields of get_service_info (php: the address users reach the application at).</summary>
    protected virtual JsonObject ServiceInfo() => [];

    public async Task<object?> DispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        switch (call.Method)
        {
            case "get_service_info":
                var info = new JsonObject { ["state"] = State, ["type"] = Type.Name, ["name"] = Name, ["nodes"] = Nodes.Count, ["error"] = LastError };
                foreach (var (key, value) in ServiceInfo()) info[key] = value?.DeepClone();
                return info;
            case "list_nodes":
                // An agent holding several roles is listed under each.
                return Nodes.SelectMany(n => n.Roles.Select(r => (Role: r, n.Id))).GroupBy(p => p.Role).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToArray());
            case "get_node_info":
                var node = Find(call.String("serviceNodeId"));
                return new { serviceNode = new { id = node.Id, ip = node.Ip, vmid = node.Id, cloud = node.Cloud, role = node.Role, state = IsDead(node) ? Dead : Running,
                    logs = new[] { "agent.log", "agent.out", "agent.err" } } };
            case "start_service":
                _ = StartService();
                return new { state = Prologue };
            case "stop_service":
                _ = Begin([Running, Error], Epilogue, StopAsync, finalState: Stopped);
                return new { state = Epilogue };
            case "add_nodes":
                var roles = RolesToAdd(call);
                // --cloud: the new agents' cloud (the director refuses a name it does not know); the service's own by default.
                _ = AddAgents(roles, call.OptionalString("cloud") is { Length: > 0 } named ? named : null);
                return new { state = Adapting };
            case "remove_nodes":
                if (State != Running) throw new RpcException($"service {Id} is {State}; this needs it {Running}");
                var removed = NodesToRemove(call);
                _ = Begin([Running], Adapting, token => RemoveNodesAsync(removed, token));
                return new { state = Adapting };
            case "get_agent_log":
                var agent = Find(call.String("agent_id"));
                return await AgentAsync(agent, "get_log", new JsonObject { ["filename"] = call.OptionalString("filename") ?? "agent.log" }, cancellationToken);
        }
        return await TypeDispatchAsync(call, cancellationToken)
               ?? throw new RpcException($"service {Id} ({Type.Name}) has no method '{call.Method}'");
    }

    /// <summary>Stops every agent (the application is stopping or the service is removed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var vmids = Nodes.Where(n => !IsDead(n)).Select(n => n.Id).ToList(); // the director removed the dead ones already
        if (vmids.Count > 0)
            await Clients.DirectorAsync("/remove_nodes", [new("vmids", string.Join(',', vmids))], cancellationToken);
        lock (_nodes) _nodes.Clear();
        _dead.Clear();
        lock (_misses) _misses.Clear();
    }

    /// <summary>A node that stopped answering, as list_nodes and get_node_info show it.</summary>
    public const string Dead = "DEAD";

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _dead = new();
    private readonly Dictionary<string, int> _misses = [];

    protected bool IsDead(AgentNode node) => _dead.ContainsKey(node.Id);

    /// <summary>
    /// Asks every agent of a RUNNING service whether it lives (side by side, 2 s each). One that misses twice in a row
    /// is dead: the director removes it (so it is charged no more), list_nodes shows it DEAD, and the service goes to
    /// ERROR saying which agent and that 'service start' brings the service back. Called every few seconds.
    /// </summary>
    public async Task CheckAgentsAsync(CancellationToken cancellationToken)
    {
        if (State != Running) return;
        var living = Nodes.Where(n => !IsDead(n)).ToList();
        var answers = await Task.WhenAll(living.Select(async n =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(CheckTimeout);
                await Clients.CallAsync(n.Address, Roles.Agent, "check_process", new JsonObject(), timeout.Token);
                return (Node: n, Alive: true);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or RpcException && !cancellationToken.IsCancellationRequested)
            {
                return (Node: n, Alive: false);
            }
        }));
        var dead = new List<AgentNode>();
        lock (_misses)
            foreach (var (node, alive) in answers)
            {
                _misses[node.Id] = alive ? 0 : _misses.GetValueOrDefault(node.Id) + 1;
                if (_misses[node.Id] >= 2) dead.Add(node);
            }
        // An operation that began meanwhile (add or remove nodes) judges for itself; the next check sees the result.
        if (dead.Count == 0 || State != Running) return;
        foreach (var node in dead) _dead[node.Id] = true;
        var names = string.Join(", ", dead.Select(n => n.Id));
        try
        {
            await Clients.DirectorAsync("/remove_nodes", [new("vmids", string.Join(',', dead.Select(n => n.Id)))], cancellationToken);
        }
        catch (RpcException e)
        {
            Log.Write($"service {Id}: removing dead agents {names}: {e.Message}");
        }
        LastError = $"agent {names} stopped answering and was removed; 'service start' brings the service back with {Nodes.Count} agents";
        if (Interlocked.CompareExchange(ref _state, Error, Running) == Running)
            Log.Write($"service {Id}: {LastError}");
    }

    protected AgentNode Find(string agentId) =>
        Nodes.FirstOrDefault(n => n.Id == agentId) ?? throw new RpcException($"service {Id} has no agent '{agentId}'");

    /// <summary>Starts the service (its first agent); completes once it is RUNNING, or throws why it is not.
    /// A refusal (the service is busy or not stopped) is thrown at once.</summary>
    public Task StartServiceAsync() => OutcomeAsync(StartService());

    /// <summary>Adds agents (one per role given) to a running service; completes once they run, or throws why they do not.</summary>
    public Task AddAgentsAsync(IReadOnlyList<string> roles) => OutcomeAsync(AddAgents(roles));

    /// <summary>Starts the service; from ERROR (an agent died, say) it first stops what is left and comes back with as
    /// many agents as it had, so one command recovers it.</summary>
    private Task StartService() => Begin([Init, Stopped, Error], Prologue, async token =>
    {
        // Back with as many agents in the same roles; a fresh start has one agent in the first role.
        IReadOnlyList<string> roles = Nodes.Count > 0 ? [.. Nodes.Select(n => n.Role)] : [RoleFor(0)];
        if (Nodes.Count > 0) await StopAsync(token);
        await AddNodesAsync(roles, token);
    });

    private Task AddAgents(IReadOnlyList<string> roles, string? cloud = null) => Begin([Running], Adapting, token => AddNodesAsync(roles, token, cloud));

    private async Task OutcomeAsync(Task work)
    {
        await work;
        if (State == Error) throw new RpcException($"service {Id} failed: {LastError}");
    }

    /// <summary>Moves to <paramref name="during"/> and runs <paramref name="work"/> in the background; the task
    /// completes when it is done (its failure is the service's ERROR state and LastError, never an exception).</summary>
    private Task Begin(string[] from, string during, Func<CancellationToken, Task> work, string finalState = Running)
    {
        if (!_busy.Wait(0)) throw new RpcException($"service {Id} is {State}; wait until it is done");
        if (!from.Contains(State))
        {
            _busy.Release();
            throw new RpcException($"service {Id} is {State}; this needs it {string.Join(" or ", from)}");
        }
        Volatile.Write(ref _state, during);
        LastError = null;
        return Task.Run(async () =>
        {
            try
            {
                await work(CancellationToken.None);
                Volatile.Write(ref _state, finalState);
            }
            catch (Exception e)
            {
                LastError = e.Message;
                Volatile.Write(ref _state, Error);
                Log.Write($"service {Id}: {during} failed: {e.Message}");
            }
            finally
            {
                _busy.Release();
            }
        });
    }

    private async Task AddNodesAsync(IReadOnlyList<string> roles, CancellationToken cancellationToken, string? cloud = null)
    {
        cloud ??= Cloud;
        var created = await Clients.DirectorAsync("/create_nodes",
            [new("service_id", Id.ToString(CultureInfo.InvariantCulture)), new("count", roles.Count.ToString(CultureInfo.InvariantCulture)), new("cloud", cloud)], cancellationToken);
        var existing = Nodes;
        var added = (created as JsonArray ?? []).OfType<JsonObject>().Select((n, i) => new AgentNode(
            n["vmid"]!.ToString(), n["ip"]!.ToString(), n["port"]!.GetValue<int>(), roles[i], n["cloud"]?.ToString() ?? cloud)).ToList();
        lock (_nodes) _nodes.AddRange(added);
        await Task.WhenAll(added.Select(n => WaitForAgentAsync(n, cancellationToken)));
        Log.Write($"service {Id}: {added.Count} agents up: {string.Join(", ", added.Select(n => $"{n.Id} {n.Address}"))}");
        if (StartupScript is { } script)
            await Task.WhenAll(added.Select(n => AgentAsync(n, "run_startup_script", new JsonObject { ["script"] = script }, cancellationToken)));
        await NodesAddedAsync(added, existing, cancellationToken);
    }

    private async Task RemoveNodesAsync(IReadOnlyList<AgentNode> removed, CancellationToken cancellationToken)
    {
        await NodesRemovingAsync(removed, cancellationToken);
        await Clients.DirectorAsync("/remove_nodes", [new("vmids", string.Join(',', removed.Select(n => n.Id)))], cancellationToken);
        lock (_nodes) _nodes.RemoveAll(removed.Contains);
        Log.Write($"service {Id}: removed {string.Join(", ", removed.Select(n => n.Id))}");
        await NodesRemovedAsync(Nodes, cancellationToken);
    }

    private async Task WaitForAgentAsync(AgentNode node, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + context.AgentStartTimeout;
        var delay = new Common.PollingDelay();
        while (true)
        {
            try
            {
                await Clients.CallAsync(node.Address, Roles.Agent, "check_process", new JsonObject(), cancellationToken);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await delay.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>How many agents a call asks for: <c>count</c>, or the sum of <c>nodes</c> per role (as ConPaaS clients
    /// send it), each a whole number from 0 to 50; anything else is refused by name.</summary>
    protected static int Count(RpcCall call)
    {
        if (call.Params["count"] is not null)
            return call.Long("count") is var count and >= 0 and <= ServiceRole.MaxAgents ? (int)count : throw new RpcException($"'count' must be from 0 to {ServiceRole.MaxAgents}");
        if (call.Params["nodes"] is not JsonObject roles) return 1;
        var total = 0;
        foreach (var (role, value) in roles)
        {
            if (value is not JsonValue number || !number.TryGetValue<int>(out var n) || n is < 0 or > ServiceRole.MaxAgents)
                throw new RpcException($"'nodes.{role}' must be a whole number from 0 to {ServiceRole.MaxAgents}");
            total += n;
        }
        return total;
    }
}
