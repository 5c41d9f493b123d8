namespace ConPaaS.Processes;

/// <summary>What a finished command left behind.</summary>
public sealed record CommandResult(Command Command, int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;
}
