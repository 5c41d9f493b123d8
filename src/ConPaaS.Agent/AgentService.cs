using System.Text.Json.Nodes;
using ConPaaS.Node;

namespace ConPaaS.Agent;

/// <summary>
/// The agent half of a service type (the manager half lives in cpsmanager). A new type is one of these plus a
/// ServiceManager: <see cref="DispatchAsync"/> answers the type's own methods and returns null for unknown ones.
/// </summary>
public abstract class AgentService(AgentFiles files, NodeContext context)
{
    protected AgentFiles Files => files;
    protected NodeContext Context => context;

    public abstract Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken);

    public static AgentService For(NodeContext context, AgentFiles files) => context.ServiceType switch
    {
        "helloworld" => new HelloworldAgent(files, context),
        "generic" => new GenericAgent(files, context),
        _ => throw new InvalidDataException($"this agent does not know service type '{context.ServiceType}'"),
    };
}

/// <summary>Where an agent keeps things, below its root (/ on a VM; the node's directory on the local driver).</summary>
public sealed class AgentFiles(string root)
{
    public string Root { get; } = root;
    public string AgentsFile => Path.Combine(Root, "var", "cache", "cpsagent", "agents.json");
    public string CodeDirectory => Path.Combine(Root, "var", "lib", "cpsagent", "code");
    public string LogDirectory => Path.Combine(Root, "var", "log", "cpsagent");
    public string Log(string name) => Path.Combine(LogDirectory, name);

    /// <summary>The logs get_log may return; anything else is refused (no path from a caller reaches the disk).</summary>
    public static readonly IReadOnlySet<string> Logs = new HashSet<string> { "agent.log", "agent.out", "agent.err" };
}
