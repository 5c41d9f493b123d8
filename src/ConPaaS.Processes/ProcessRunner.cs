using System.Diagnostics;
using System.Text;

namespace ConPaaS.Processes;

/// <summary>
/// Runs <see cref="Command"/>s to completion. Each child starts in a process group of its own (see
/// <see cref="ChildProcess"/>), so cancelling the token kills the child and everything it started.
/// </summary>
public static class ProcessRunner
{
    /// <summary>
    /// Runs the command to completion and returns its output. Throws <see cref="ToolFailedException"/> when it
    /// exits non-zero (unless <paramref name="allowFailure"/>), cannot be started, or does not end once cancelled.
    /// </summary>
    /// <param name="onOutputLine">Receives each line of stdout and stderr as it arrives (progress, logs).</param>
    public static async Task<CommandResult> RunAsync(
        this Command command,
        CancellationToken cancellationToken,
        bool allowFailure = false,
        Action<string>? onOutputLine = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var clock = Stopwatch.StartNew();
        var child = ChildProcess.Start(command, line => Collect(stdout, line, onOutputLine), line => Collect(stderr, line, onOutputLine));
        int exitCode;
        try
        {
            exitCode = await child.Ended.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await child.KillAsync();
            throw;
        }

        // Each builder had one writer, its pipe, and Ended completes only after both pipes are drained.
        var result = new CommandResult(command, exitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
        if (!allowFailure && !result.Succeeded) throw new ToolFailedException(result);
        return result;
    }

    private static void Collect(StringBuilder sink, string line, Action<string>? onOutputLine)
    {
        sink.Append(line).Append('\n');
        onOutputLine?.Invoke(line);
    }

    /// <summary>True when <paramref name="tool"/> resolves to an executable on PATH (or is an executable path).</summary>
    public static bool IsOnPath(string tool) => Resolve(tool) is not null;

    /// <summary>The full path of <paramref name="tool"/> found on PATH (plus the sbin directories), or null.</summary>
    public static string? Resolve(string tool)
    {
        if (tool.Contains('/')) return File.Exists(tool) ? tool : null;
        var path = (System.Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/local/sbin:/usr/sbin:/sbin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
    }
}
