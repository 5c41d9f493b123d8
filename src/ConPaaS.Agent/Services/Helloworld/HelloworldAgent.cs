using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;
using ConPaaS.Platform.Rpc;
using System.Text.Json.Nodes;
using ConPaaS.Node;

namespace ConPaaS.Agent.Services.Helloworld;

/// <summary>The helloworld agent: started by the manager, it greets whoever asks.</summary>
public sealed class HelloworldAgent(AgentFiles files, NodeContext context) : AgentService(files, context)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Helloworld, (files, context) => new HelloworldAgent(files, context));

    private volatile bool _started;

    public override Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken) => Task.FromResult(call.Method switch
    {
        "startup" => (JsonNode?)Startup(),
        "get_helloworld" => _started
            ? $"Hello World from agent {Context.Vmid} at {Context.Listen.Address}"
            : throw new RpcException("this agent has not been started"),
        _ => null,
    });

    private bool Startup()
    {
        _started = true;
        return true;
    }
}
