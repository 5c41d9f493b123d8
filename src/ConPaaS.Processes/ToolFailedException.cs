namespace ConPaaS.Processes;

/// <summary>
/// An external tool exited non-zero or could not be started. The message names the tool, the command line,
/// the exit code and the tail of its standard error: everything a user needs to reproduce it by hand.
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

    public CommandResult? Result { get; }

    private static string Describe(Command command, string what, string standardError)
    {
        var tail = standardError.TrimEnd().Split('\n').TakeLast(TailLines);
        var message = $"{command.DisplayName} {what}\n  command: {command}";
        var stderrTail = string.Join("\n    ", tail).TrimEnd();
        return stderrTail.Length == 0 ? message : $"{message}\n  stderr:\n    {stderrTail}";
    }
}
