using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Platform.Services;

namespace ConPaaS.Agent.Services;

/// <summary>
/// The agent half of a service type (the manager half lives in cpsmanager). A new type is one of these in a folder
/// of its own, registered with <see cref="AgentServices"/>, plus a ServiceManager: <see cref="DispatchAsync"/> answers
/// the type's own methods and returns null for unknown ones.
/// </summary>
public abstract class AgentService(AgentFiles files, NodeContext context)
{
    protected AgentFiles Files => files;
    protected NodeContext Context => context;

    public abstract Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken);
}

/// <summary>
/// The agent classes this program runs, by type name. Each type's folder registers its own from a module initializer
/// (run at start-up, also when compiled ahead of time, with no reflection).
/// </summary>
public static class AgentServices
{
    private static readonly Dictionary<string, Func<AgentFiles, NodeContext, AgentService>> Factories = [];

    public static void Register(ServiceType type, Func<AgentFiles, NodeContext, AgentService> create) => Factories[type.Name] = create;

    public static AgentService For(NodeContext context, AgentFiles files) =>
        Factories.TryGetValue(context.ServiceType, out var create)
            ? create(files, context)
            : throw new InvalidDataException($"this agent does not know service type '{context.ServiceType}'");
}
