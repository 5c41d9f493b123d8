namespace ConPaaS.Processes;

/// <summary>Signals to a server we started, for the reloads servers take by signal (nginx: HUP, php-fpm and HAProxy: USR2) and the clean stop MariaDB takes (TERM).</summary>
public static partial class ProcessSignal
{
    public const int Hangup = 1;
    public const int User2 = 12;
    public const int Terminate = 15;

    /// <summary>
    /// Sends <paramref name="signal"/> to the program a contained command runs. Its own pid file would not do: run as
    /// root, <see cref="Command.Contained"/> puts it in a PID namespace of its own, where its pid means another
    /// process out here. Out here it is the process itself, or, when <c>unshare</c> forked it, unshare's one child.
    /// </summary>
    public static bool Send(BackgroundProcess process, int signal)
    {
        var pid = process.Id;
        if (ReadOrEmpty($"/proc/{pid}/comm").Trim() == "unshare"
            && int.TryParse(ReadOrEmpty($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), out var child))
            pid = child;
        return !process.Exited.IsCompleted && Kill(pid, signal) == 0;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
