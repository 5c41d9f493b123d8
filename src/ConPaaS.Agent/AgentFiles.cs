namespace ConPaaS.Agent;

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
