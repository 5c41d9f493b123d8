using ConPaaS.Manager.Git;
using ConPaaS.Node;

namespace ConPaaS.Manager.Services;

/// <summary>What a service manager is given: its id, name and cloud, the ways to reach others, the log, and where
/// its state survives a manager restart (<see cref="StateDirectory"/>, kept by the director's cloud driver).</summary>
public sealed record ServiceContext(long Id, string Name, string Cloud, NodeClients Clients, ManagerLog Log, string StateDirectory, Func<Task<GitDeployment>> Git)
{
    /// <summary>How long an agent may take from its start to answering (the node context's START_TIMEOUT).</summary>
    public TimeSpan AgentStartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
