using System.Text.Json.Nodes;
using System.Runtime.CompilerServices;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Helloworld;

/// <summary>helloworld: each new agent is started; get_helloworld gathers a greeting from every agent.</summary>
public sealed class HelloworldManager(ServiceContext context) : ServiceManager(ServiceTypes.Helloworld, context)
{
    [ModuleInitializer]
    internal static void Register() => ServiceManagers.Register(ServiceTypes.Helloworld, c => new HelloworldManager(c));

    protected override async Task NodesAddedAsync(IReadOnlyList<AgentNode> added, IReadOnlyList<AgentNode> existing, CancellationToken cancellationToken) =>
        await Task.WhenAll(added.Select(n => AgentAsync(n, "startup", new JsonObject(), cancellationToken)));

    protected override async Task<object?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        if (call.Method != "get_helloworld") return null;
        if (State != LifecycleState.Running) throw new RpcException($"service {Id} is {State}, not RUNNING");
        var greetings = await Task.WhenAll(Nodes.Select(n => AgentAsync(n, "get_helloworld", new JsonObject(), cancellationToken)));
        return new { helloworld = string.Join("\n", greetings.Select(g => g?.ToString())) };
    }
}
