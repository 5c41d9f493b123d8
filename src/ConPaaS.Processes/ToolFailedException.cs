namespace ConPaaS.Processes;

/// <summary>
/// An external tool exited non-zero, could not be started, or would not end when killed. The message names the tool,
/// the command line, the exit code and the tail of its standard error: everything a user needs to reproduce it by hand.
/// </summary>
public sealed class ToolFailedException : Exception
{
    private const int TailLines = 15;

    public ToolFailedException(CommandResult result)
        : base(Describe(result.Command, $"exited with code {result.ExitCode}", result.StandardError))
    {
        Result = result;
    }

    public ToolFailedException(Command command, Exception startFailure)
        : base(Describe(command, $"could not be started ({startFailure.Message})", ""), startFailure)
    {
    }

    /// <summary>The tool was killed but had not ended when we stopped waiting for it.</summary>
    internal ToolFailedException(Command command, int pid, TimeSpan waited)
        : base(Describe(command, $"was killed but had not ended {waited.TotalSeconds:0} s later (pid {pid}; SIGKILL waits while a process is stuck in the kernel: uninterruptible I/O, a frozen cgroup)", ""))
    {
    }

    public CommandResult? Result { get; }

    private static string Describe(Command command, string what, string standardError)
    {
        var tail = standardError.TrimEnd().Split('\n').TakeLast(TailLines);
        var message = $"{command.DisplayName} {what}\n  command: {command}";
        var stderrTail = string.Join("\n    ", tail).TrimEnd();
        return stderrTail.Length == 0 ? message : $"{message}\n  stderr:\n    {stderrTail}";
    }
}
