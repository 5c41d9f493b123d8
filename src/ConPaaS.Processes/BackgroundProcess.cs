namespace ConPaaS.Processes;

/// <summary>
/// A long-running child (a node the local cloud driver starts, a daemon a test starts): started like every other
/// command (<see cref="ChildProcess"/>), its stdout and stderr appended to a log file rather than kept in memory,
/// and stopped by killing its whole group.
/// </summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly ChildProcess _child;
    private readonly LogFile _log;
    private readonly LogFile _errors;

    public Command Command => _child.Command;

    public int Id => _child.Id;

    /// <summary>Completes with the exit code when the process ends, however it ends.</summary>
    public Task<int> Exited => _child.Ended;

    private BackgroundProcess(ChildProcess child, LogFile log, LogFile errors) => (_child, _log, _errors) = (child, log, errors);

    /// <summary>Starts the command; stdout is appended to <paramref name="logPath"/>, stderr too unless
    /// <paramref name="errorLogPath"/> names a file of its own.</summary>
    public static BackgroundProcess Start(Command command, string logPath, string? errorLogPath = null)
    {
        var log = new LogFile(logPath);
        var errors = errorLogPath is null ? log : new LogFile(errorLogPath);
        try
        {
            return new BackgroundProcess(ChildProcess.Start(command, log.WriteLine, errors.WriteLine), log, errors);
        }
        catch
        {
            log.Dispose();
            errors.Dispose();
            throw;
        }
    }

    /// <summary>Sends SIGKILL to the process group (the process and everything it started) and waits for the exit;
    /// throws <see cref="ToolFailedException"/> if it has not ended a few seconds later.</summary>
    public Task KillAsync() => _child.KillAsync();

    public void Dispose()
    {
        try
        {
            if (!Exited.IsCompleted) KillAsync().GetAwaiter().GetResult();
        }
        finally
        {
            _log.Dispose();
            _errors.Dispose();
        }
    }

    /// <summary>A log opened for appending, shared with readers, that drops lines once closed: a child that would
    /// not die may still write after <see cref="Dispose"/> gave up on it.</summary>
    private sealed class LogFile(string path) : IDisposable
    {
        private readonly StreamWriter _writer =
            new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

        private bool _closed;

        public void WriteLine(string line)
        {
            lock (_writer)
                if (!_closed) _writer.WriteLine(line);
        }

        public void Dispose()
        {
            lock (_writer)
            {
                _closed = true;
                _writer.Dispose();
            }
        }
    }
}
