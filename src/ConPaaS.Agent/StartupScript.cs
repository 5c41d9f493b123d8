using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;

namespace ConPaaS.Agent;

/// <summary>
/// A manifest's StartupScript, which the manager hands to each new agent before the service's own work (for generic,
/// before init.sh). It runs to its end in the agent's root with CPS_AGENT_ID and CPS_AGENT_IP set, its output in
/// agent.out and agent.err; a non-zero exit fails the agent's start, and with it the manager's operation.
/// </summary>
public static class StartupScript
{
    public static async Task<JsonNode?> RunAsync(NodeContext context, AgentFiles files, string text, CancellationToken cancellationToken)
    {
        var path = Path.Combine(files.Root, "var", "lib", "cpsagent", "startup.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text, cancellationToken);
        AgentLog.Write(files, "running the startup script");
        using var process = UserScript.Start(context, files, path, [], files.Root);
        var code = await process.Exited.WaitAsync(cancellationToken);
        AgentLog.Write(files, $"the startup script finished with {code}");
        return code == 0 ? true : throw new RpcException($"the startup script failed with return code {code} on {context.Vmid}; see its agent.err");
    }
}
