namespace ConPaaS.Platform.Services;

/// <summary>
/// The states applications and services pass through, as ConPaaS named them: INIT -> PROLOGUE -> RUNNING
/// (ADAPTING while nodes come and go) -> EPILOGUE -> STOPPED, or ERROR. One set for both, on the wire as these strings.
/// </summary>
public static class LifecycleState
{
    public const string Init = "INIT";
    public const string Prologue = "PROLOGUE";
    public const string Running = "RUNNING";
    public const string Adapting = "ADAPTING";
    public const string Epilogue = "EPILOGUE";
    public const string Stopped = "STOPPED";
    public const string Error = "ERROR";

    /// <summary>States in which work is under way, so another change must wait.</summary>
    public static bool IsBusy(string state) => state is Prologue or Adapting or Epilogue;
}
