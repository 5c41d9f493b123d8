namespace ConPaaS.Manager;

/// <summary>The manager's log (manager.log in its state directory): its history, for get_manager_log.</summary>
public sealed class ManagerLog(string directory)
{
    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(directory, "manager.log");

    public void Write(string message)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {message}\n";
        lock (_gate) File.AppendAllText(Path, line);
        Console.Write(line);
    }

    public string Read() => File.Exists(Path) ? File.ReadAllText(Path) : "";
}
