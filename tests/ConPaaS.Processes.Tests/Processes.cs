namespace ConPaaS.Processes.Tests;

/// <summary>What the tests read about a process from /proc.</summary>
internal static class Processes
{
    /// <summary>/proc/PID/stat's fields after the parenthesised name (state first), or null if the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for a child to write its pid to <paramref name="pidFile"/>.</summary>
    public static async Task<int> ReadPidAsync(string pidFile)
    {
        while (!File.Exists(pidFile) || !File.ReadAllText(pidFile).EndsWith('\n')) await Task.Delay(20);
        return int.Parse(File.ReadAllText(pidFile).Trim());
    }

    /// <summary>
    /// Waits up to 30 s (a loaded CI machine, other test projects running beside this one) for the process that held
    /// <paramref name="pid"/> when <paramref name="startTime"/> was read to be gone: a new process given the same pid
    /// in the meantime (pid_max is 32768 here) is not the one waited for.
    /// </summary>
    public static async Task WaitGoneAsync(int pid, string startTime)
    {
        bool Running() => Stat(pid) is { } fields && fields[0] != "Z" && fields[19] == startTime;
        for (var i = 0; i < 1500 && Running(); i++) await Task.Delay(20);
        Assert.False(Running(), $"pid {pid} is still running");
    }

    /// <summary>When the process started (field 22 of /proc/PID/stat), or "" if gone.</summary>
    public static string StartTime(int pid) => Stat(pid)?[19] ?? "";
}
