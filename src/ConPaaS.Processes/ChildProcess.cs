using System.ComponentModel;
using CliWrap;

namespace ConPaaS.Processes;

/// <summary>
/// A started <see cref="Command"/>: the one place a <see cref="Command"/> is started and killed (KillTest alone starts
/// its victim builds with Process directly, to kill them from outside).
/// CliWrap executes it (pipes, exit); we decide how it starts (from the <see cref="StarterThread"/>, as the leader of
/// a process group of its own through setsid) and how it is killed (SIGKILL to that group, then a bounded wait).
/// </summary>
internal sealed partial class ChildProcess
{
    /// <summary>
    /// How long a killed child may take to end. SIGKILL ends a group in milliseconds; a child still there after this
    /// is stuck in the kernel, and waiting longer would hang the caller with it.
    /// </summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private const string SetSid = "/usr/bin/setsid";

    private const int SigKill = 9;

    private readonly CommandTask<CliWrap.CommandResult> _execution;

    private readonly CancellationTokenSource _kill;

    public Command Command { get; }

    public int Id => _execution.ProcessId;

    /// <summary>Completes with the exit code once the child has exited and its output has been read.</summary>
    public Task<int> Ended { get; }

    private ChildProcess(Command command, CommandTask<CliWrap.CommandResult> execution, CancellationTokenSource kill)
    {
        (Command, _execution, _kill) = (command, execution, kill);
        Ended = EndAsync();
    }

    private static PipeSource StandardInputOf(Command command) => (command.StandardInput, command.StandardInputFile) switch
    {
        (null, null) => PipeSource.Null,
        ({ } bytes, null) => PipeSource.FromBytes(bytes),
        (null, { } path) => PipeSource.FromFile(path),
        _ => throw new ArgumentException($"{command.DisplayName}: standard input given both as bytes and as a file", nameof(command)),
    };

    /// <summary>Starts the command; each line of its stdout and stderr goes to the matching callback.</summary>
    public static ChildProcess Start(Command command, Action<string> onOutputLine, Action<string> onErrorLine)
    {
        var tool = ProcessRunner.Resolve(command.Tool)
            ?? throw new ToolFailedException(command, new FileNotFoundException($"{command.Tool} is not on PATH"));
        var execution = Cli.Wrap(SetSid)
            .WithArguments([tool, .. command.Arguments])
            .WithEnvironmentVariables(command.Environment)
            .WithStandardInputPipe(StandardInputOf(command))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(onOutputLine))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(onErrorLine))
            .WithValidation(CommandResultValidation.None);
        if (command.WorkingDirectory is { } directory) execution = execution.WithWorkingDirectory(directory);

        var kill = new CancellationTokenSource();
        try
        {
            // CliWrap forks inside ExecuteAsync, before it returns, so the fork happens on the starter thread.
            return new ChildProcess(command, StarterThread.Run(() => execution.ExecuteAsync(kill.Token)), kill);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            throw new ToolFailedException(command, e);
        }
    }

    private async Task<int> EndAsync()
    {
        try
        {
            return (await _execution).ExitCode;
        }
        catch (OperationCanceledException) when (_kill.IsCancellationRequested)
        {
            // CliWrap reports a killed child as cancelled, without its status; the group got SIGKILL, which a
            // shell would report as 128 + 9.
            return 128 + SigKill;
        }
    }

    /// <summary>
    /// Kills the child and everything it started, and waits for it to end; throws <see cref="ToolFailedException"/>
    /// if it has not ended within <see cref="KillWait"/>.
    /// </summary>
    public async Task KillAsync()
    {
        if (!Ended.IsCompleted)
        {
            // setsid made the child the leader of its own group, whose id is its pid: one signal reaches the whole
            // tree, with no race against processes being forked or reparented while a tree is walked. Cancelling
            // then has CliWrap kill what it knows of the tree and stop reading output that a process outside the
            // group may hold open.
            _ = KillGroup(-Id, SigKill);
            await _kill.CancelAsync();
        }
        try
        {
            await Ended.WaitAsync(KillWait);
        }
        catch (TimeoutException)
        {
            throw new ToolFailedException(Command, Id, KillWait);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillGroup(int pid, int signal);
}
