using System.Diagnostics;

namespace ConPaaS.Processes;

/// <summary>
/// A long-running child (a node the local cloud driver starts, a daemon a test starts): started like every other
/// command (own process group, from the starter thread), its stdout and stderr appended to a log file rather than
/// kept in memory, and stopped by killing its whole group.
/// </summary>
public sealed partial class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StreamWriter _errors;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Command Command { get; }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process ends, however it ends.</summary>
    public Task<int> Exited => _exited.Task;

    private BackgroundProcess(Command command, Process process, StreamWriter log, StreamWriter errors) =>
        (Command, _process, _log, _errors) = (command, process, log, errors);

    /// <summary>Starts the command; stdout is appended to <paramref name="logPath"/>, stderr too unless
    /// <paramref name="errorLogPath"/> names a file of its own.</summary>
    public static BackgroundProcess Start(Command command, string logPath, string? errorLogPath = null)
    {
        if (ProcessRunner.Resolve(command.Tool) is null) throw new ToolFailedException(command, new FileNotFoundException($"{command.Tool} is not on PATH"));
        var info = new ProcessStartInfo("/usr/bin/setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? "",
        };
        info.ArgumentList.Add(ProcessRunner.Resolve(command.Tool)!);
        foreach (var argument in command.Arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        var log = Append(logPath);
        var errors = errorLogPath is null ? log : Append(errorLogPath);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var running = new BackgroundProcess(command, process, log, errors);
        process.OutputDataReceived += (_, e) => running.Write(running._log, e.Data);
        process.ErrorDataReceived += (_, e) => running.Write(running._errors, e.Data);
        process.Exited += (_, _) =>
        {
            process.WaitForExit(); // also waits for the output to be drained into the logs
            running._exited.TrySetResult(process.ExitCode);
        };
        try
        {
            StarterThread.Start(process);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            log.Dispose();
            errors.Dispose();
            throw new ToolFailedException(command, e);
        }
        try
        {
            if (command.StandardInput is { } input) process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child closed its stdin early; it reads what it needs or fails on its own.
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    private static StreamWriter Append(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

    private void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log) log.WriteLine(line);
    }

    /// <summary>Sends SIGKILL to the process group (the process and everything it started) and waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            _ = KillGroup(-_process.Id, 9);
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        await _exited.Task;
    }

    public void Dispose()
    {
        if (!_exited.Task.IsCompleted) KillAsync().GetAwaiter().GetResult();
        lock (_log) _log.Dispose();
        lock (_errors) _errors.Dispose();
        _process.Dispose();
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillGroup(int pid, int signal);
}
