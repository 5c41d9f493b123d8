using ConPaaS.Node;
using ConPaaS.Processes;

namespace ConPaaS.Agent;

/// <summary>
/// The one way an agent runs a user's script (generic's five, a manifest's startup script): bash, contained (its own
/// process group, killed with the agent), CPS_AGENT_ID and CPS_AGENT_IP plus the caller's variables, stdout appended
/// to agent.out and stderr to agent.err.
/// </summary>
public static class UserScript
{
    public static BackgroundProcess Start(NodeContext context, AgentFiles files, string path, IEnumerable<string> parameters,
        string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new Command("bash", [path, .. parameters]) { WorkingDirectory = workingDirectory }
            .WithEnvironment("CPS_AGENT_ID", context.Vmid)
            .WithEnvironment("CPS_AGENT_IP", context.Listen.Address.ToString());
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) command = command.WithEnvironment(name, value);
        return BackgroundProcess.Start(command.Contained(), files.Log("agent.out"), files.Log("agent.err"));
    }
}
