using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Manager.Git;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Generic;

/// <summary>
/// generic: the first agent is master for the service's life, the others are nodes. New agents get the active code
/// and run init.sh; the agents already there run notify.sh once. run, interrupt and cleanup go to every agent with
/// the guarantees GenericAgent keeps; enabling code is refused while any script runs anywhere.
/// </summary>
public sealed class GenericManager(ServiceContext context) : ServiceManager(ServiceTypes.Generic, context), ICodeService
{
    [ModuleInitializer]
    internal static void Register() => ServiceManagers.Register(ServiceTypes.Generic, c => new GenericManager(c));

    /// <summary>generic's code-default: each script says what it was given.</summary>
    private static readonly IReadOnlyDictionary<string, string> DefaultCode = GenericScripts.All.ToDictionary(script => script, script => $$"""
        #!/bin/bash
        date
        echo "Executing script {{script}}"
        echo "Parameters ($#): $@"
        echo "My IP is $CPS_AGENT_IP"
        echo "My role is $CPS_AGENT_ROLE"
        echo "My master IP is $CPS_MASTER_IP"
        echo "Information about other agents is stored at $CPS_AGENTS_FILE"
        cat "$CPS_AGENTS_FILE"; echo

        """);

    private readonly CodeVersions _codes = new(Path.Combine(context.StateDirectory, "code"), DefaultCode);

    public CodeVersions Codes => _codes;
    private readonly ServiceVolumes _volumes = new(context.StateDirectory);

    /// <summary>The first agent is master for the service's life; every later one is a node.</summary>
    protected override string RoleFor(int index) => Type.Roles[index == 0 ? 0 : 1].Name;

    private JsonArray AgentsInfo => [.. Nodes.Select(n => (JsonNode)n.Info)];

    protected override async Task NodesAddedAsync(IReadOnlyList<AgentNode> added, IReadOnlyList<AgentNode> existing, CancellationToken cancellationToken)
    {
        var agents = AgentsInfo;
        await Task.WhenAll(added.Select(async n =>
        {
            await Call(n, "init_agent", new JsonObject { ["agents_info"] = agents.DeepClone() }, cancellationToken);
            await SendCodeAsync(n, _codes, cancellationToken);
            await Call(n, "execute_script", Script("init", [], agents), cancellationToken);
        }));
        await Task.WhenAll(existing.Select(n => Call(n, "execute_script", Script("notify", [], agents), cancellationToken)));
    }

    protected override async Task NodesRemovedAsync(IReadOnlyList<AgentNode> remaining, CancellationToken cancellationToken)
    {
        var agents = AgentsInfo;
        await Task.WhenAll(remaining.Select(n => Call(n, "execute_script", Script("notify", [], agents), cancellationToken)));
    }

    protected override async Task<object?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        switch (call.Method)
        {
            case "enable_code":
                return await EnableAsync(call.String("codeVersionId"), cancellationToken);
            case "execute_script":
                return await ExecuteAsync(call.String("command"), call.OptionalString("parameters") ?? "", cancellationToken);
            case "get_script_status":
                return new { agents = await StatusAsync(cancellationToken) };
            case "create_volume":
                return await CreateVolumeAsync(call.String("volumeName"), call.Long("volumeSize"), call.String("agentId"), cancellationToken);
            case "list_volumes":
                return new { volumes = _volumes.All.Select(v => new { volumeName = v.Name, volumeSize = v.SizeMb, agentId = Holder(v)?.Id ?? "" }).ToArray() };
            case "delete_volume":
                return await DeleteVolumeAsync(call.String("volumeName"), cancellationToken);
            default:
                return await CodeMethods.TryDispatchAsync(this, Context, call, cancellationToken);
        }
    }


    /// <summary>
    /// A volume for one agent: made and attached by the director's cloud driver, only while no script runs (so a
    /// volume is never in use when it goes). On the local driver the agent finds it at volumes/NAME below its root:
    /// a sparse file holding an ext4 filesystem; in a container it is a disk, which the agent mounts at /volumes/NAME.
    /// </summary>
    private async Task<object> CreateVolumeAsync(string volume, long sizeMb, string agentId, CancellationToken cancellationToken)
    {
        var agent = Find(agentId);
        if (await AnyRunningAsync(cancellationToken)) throw new RpcException("scripts are running; volumes are attached only when none runs");
        var created = await Clients.DirectorAsync("/create_volume", [new("volume_name", volume), new("volume_size", sizeMb.ToString(System.Globalization.CultureInfo.InvariantCulture))], cancellationToken);
        var attached = await Clients.DirectorAsync("/attach_volume", [new("volume_name", volume), new("vmid", agent.Id)], cancellationToken);
        var size = created?["size_mb"]?.GetValue<long>() ?? sizeMb;
        var mountPoint = attached?["mount_point"]?.GetValue<string>();
        _volumes.Set(new ServiceVolume(volume, size, agent.Id, mountPoint));
        if (attached?["device"]?.GetValue<string>() is { } device && mountPoint is not null)
            await Call(agent, "mount_volume", new JsonObject { ["device"] = device, ["mount_point"] = mountPoint }, cancellationToken);
        Log.Write($"service {Id}: volume {volume} ({size} MB) attached to {agent.Id}");
        return new { volumeName = volume, volumeSize = size, agentId = agent.Id };
    }

    private async Task<object> DeleteVolumeAsync(string volume, CancellationToken cancellationToken)
    {
        var known = _volumes.Find(volume) ?? throw new RpcException($"service {Id} has no volume '{volume}'");
        if (await AnyRunningAsync(cancellationToken)) throw new RpcException("scripts are running; volumes are detached only when none runs");
        // A living agent unmounts, then the director detaches; a removed or dead agent's volume went with its node.
        if (Holder(known) is { } holder)
        {
            if (known.MountPoint is not null) await Call(holder, "unmount_volume", new JsonObject { ["mount_point"] = known.MountPoint }, cancellationToken);
            await Clients.DirectorAsync("/detach_volume", [new("volume_name", volume)], cancellationToken);
        }
        await Clients.DirectorAsync("/destroy_volume", [new("volume_name", volume)], cancellationToken);
        _volumes.Remove(volume);
        Log.Write($"service {Id}: volume {volume} detached and deleted");
        return true;
    }

    private async Task<object> EnableAsync(string version, CancellationToken cancellationToken)
    {
        _codes.Find(version);
        if (State != LifecycleState.Running)
        {
            _codes.Enable(version);
            return new { codeVersionId = version };
        }
        if (await AnyRunningAsync(cancellationToken)) throw new RpcException("scripts are running; interrupt them before enabling code");
        _codes.Enable(version);
        var agents = AgentsInfo;
        await Task.WhenAll(Nodes.Select(async n =>
        {
            await SendCodeAsync(n, _codes, cancellationToken);
            await Call(n, "execute_script", Script("init", [], agents), cancellationToken);
        }));
        Log.Write($"service {Id}: code version {version} enabled");
        return new { codeVersionId = version };
    }

    private async Task<object> ExecuteAsync(string command, string parameters, CancellationToken cancellationToken)
    {
        if (command is not ("run" or "interrupt" or "cleanup")) throw new RpcException($"'{command}' is not run, interrupt or cleanup");
        if (State != LifecycleState.Running) throw new RpcException($"service {Id} is {State}, not RUNNING");
        var status = await StatusAsync(cancellationToken);
        var busy = status.Where(a => a.Value.Values.Contains(GenericScripts.Running)).Select(a => a.Key).ToHashSet();
        if (command is "run" or "cleanup" && busy.Count > 0)
            throw new RpcException($"cannot {command}: scripts are running on {string.Join(", ", busy)}; interrupt them first");
        if (command == "interrupt" && busy.Count == 0) throw new RpcException("nothing to interrupt: no script is running");
        var targets = command == "interrupt" ? Nodes.Where(n => busy.Contains(n.Id)).ToList() : Nodes.ToList();
        var split = parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await Task.WhenAll(targets.Select(n => Call(n, "execute_script", Script(command, split), cancellationToken)));
        Log.Write($"service {Id}: {command} on {targets.Count} agents");
        return new { command, agents = targets.Count };
    }

    private async Task<Dictionary<string, Dictionary<string, string>>> StatusAsync(CancellationToken cancellationToken)
    {
        var nodes = Nodes;
        var answers = await Task.WhenAll(nodes.Select(n => Call(n, "get_script_status", new JsonObject(), cancellationToken)));
        return nodes.Zip(answers).ToDictionary(p => p.First.Id,
            p => (p.Second?["scripts"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? ""));
    }

    private async Task<bool> AnyRunningAsync(CancellationToken cancellationToken) =>
        (await StatusAsync(cancellationToken)).Values.Any(scripts => scripts.Values.Contains(GenericScripts.Running));

    /// <summary>The living agent a volume is attached to; null once that agent was removed or died (the director
    /// detached the volume when it stopped the node).</summary>
    private AgentNode? Holder(ServiceVolume volume) => Nodes.FirstOrDefault(n => n.Id == volume.Agent && !IsDead(n));

    private Task<JsonNode?> Call(AgentNode node, string method, JsonObject parameters, CancellationToken cancellationToken) =>
        AgentAsync(node, method, parameters, cancellationToken);

    /// <summary>execute_script's parameters; each call gets its own copy of the agents' list (a JSON node has one parent).</summary>
    private static JsonObject Script(string command, IEnumerable<string> parameters, JsonArray? agents = null)
    {
        var call = new JsonObject { ["command"] = command, ["parameters"] = new JsonArray([.. parameters.Select(p => (JsonNode?)p)]) };
        if (agents is not null) call["agents_info"] = agents.DeepClone();
        return call;
    }
}
