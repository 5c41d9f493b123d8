namespace ConPaaS.Agent;

/// <summary>Where an agent keeps things, below its root (/ on a VM; the node's directory on the local driver).</summary>
public sealed class AgentFiles(string root)
{
    public string Root { get; } = root;
    public string AgentsFile => Path.Combine(Root, "var", "cache", "cpsagent", "agents.json");
    public string CodeDirectory => Path.Combine(Root, "var", "lib", "cpsagent", "code");
    public string LogDirectory => Path.Combine(Root, "var", "log", "cpsagent");
    public string Log(string name) => Path.Combine(LogDirectory, name);

    /// <summary>The agent's own logs, always offered.</summary>
    public static readonly IReadOnlySet<string> Logs = new HashSet<string> { "agent.log", "agent.out", "agent.err" };

    /// <summary>Its own logs and its servers' (nginx, php-fpm, Tomcat, MariaDB, HAProxy), all in <see cref="LogDirectory"/>.</summary>
    public IReadOnlyList<string> AvailableLogs() =>
        [.. Logs, .. (Directory.Exists(LogDirectory) ? Directory.EnumerateFiles(LogDirectory) : []).Select(f => new FileInfo(f))
            .Where(f => !f.Attributes.HasFlag(FileAttributes.ReparsePoint) && !Logs.Contains(f.Name)).Select(f => f.Name).Order(StringComparer.Ordinal)];

    /// <summary>The text of one of <see cref="AvailableLogs"/>, its last MiB at most; a name that is not one of them is
    /// refused (a caller's name is matched against the directory's listing, never used as a path).</summary>
    public async Task<string> ReadLogAsync(string name, CancellationToken cancellationToken)
    {
        const int MaxBytes = 1 << 20;
        var available = AvailableLogs();
        if (!available.Contains(name)) throw new Platform.Rpc.RpcException($"no log '{name}'; the logs are {string.Join(", ", available)}");
        if (!File.Exists(Log(name))) return "";
        await using var stream = new FileStream(Log(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Max(0, stream.Length - MaxBytes), SeekOrigin.Begin);
        return await new StreamReader(stream).ReadToEndAsync(cancellationToken);
    }
}
