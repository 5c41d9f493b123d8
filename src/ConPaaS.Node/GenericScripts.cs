namespace ConPaaS.Node;

/// <summary>The generic service's five scripts, and the states an agent reports for each (manager and agent agree here).</summary>
public static class GenericScripts
{
    public const string Init = "init.sh";
    public const string Notify = "notify.sh";
    public const string Run = "run.sh";
    public const string Interrupt = "interrupt.sh";
    public const string Cleanup = "cleanup.sh";

    public static readonly IReadOnlyList<string> All = [Init, Notify, Run, Interrupt, Cleanup];

    public const string NeverStarted = "NEVER STARTED";
    public const string Running = "RUNNING";
}
