namespace ConPaaS.Processes.Tests;

/// <summary>What the tests read about a process from /proc.</summary>
internal static class Processes
{
    public static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z");

    /// <summary>Waits for a child to write its pid to <paramref name="pidFile"/>.</summary>
    public static async Task<int> ReadPidAsync(string pidFile)
    {
        while (!File.Exists(pidFile) || !File.ReadAllText(pidFile).EndsWith('\n')) await Task.Delay(20);
        return int.Parse(File.ReadAllText(pidFile).Trim());
    }

    public static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; i < 250 && IsRunning(pid); i++) await Task.Delay(20);
        Assert.False(IsRunning(pid), $"pid {pid} is still running");
    }
}
