using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Processes;
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

    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs one change of the agent's servers at a time (configure, code, passwords, dumps).</summary>
    protected async Task<JsonNode?> SerializedAsync(Func<Task<JsonNode?>> work)
    {
        await _gate.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits until a server this agent started is <paramref name="ready"/>; its exit or 30 s is an error naming it.</summary>
    protected static async Task WaitForAsync(Func<bool> ready, string name, BackgroundProcess process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ServerStartTimeout;
        var delay = new Common.PollingDelay();
        while (!ready())
        {
            if (process.Exited.IsCompleted) throw new Platform.Rpc.RpcException($"{name} exited at start (code {await process.Exited}); see its log on the agent");
            if (DateTime.UtcNow > deadline) throw new Platform.Rpc.RpcException($"{name} did not start within {ServerStartTimeout.TotalSeconds:0} s");
            await delay.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts one of the agent's servers as its contained child, its output in <paramref name="log"/> of the
    /// agent's log directory (where get_agent_log finds it).</summary>
    protected BackgroundProcess Start(Command command, string log) => BackgroundProcess.Start(command.Contained(), files.Log(log));

    /// <summary>Whether a server of this agent takes connections on the agent's own address and <paramref name="port"/>.</summary>
    protected bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(context.Listen.Address, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
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
