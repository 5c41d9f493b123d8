namespace ConPaaS.Agent;

/// <summary>The agent's own log (agent.log): what it did and when, for get_agent_log.</summary>
public static class AgentLog
{
    private static readonly Lock Gate = new();

    public static void Write(AgentFiles files, string message)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {message}\n";
        lock (Gate) File.AppendAllText(files.Log("agent.log"), line);
        Console.Write(line);
    }
}
