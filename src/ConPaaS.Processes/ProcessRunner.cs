using System.Diagnostics;
using System.Text;

namespace ConPaaS.Processes;

/// <summary>
/// Runs <see cref="Command"/>s. Each child starts in a process group of its own (through setsid), so cancelling
/// the token kills the child and everything it started with one signal to the group, with no race against
/// processes being forked or reparented while a tree is walked.
/// </summary>
public static partial class ProcessRunner
{
    /// <summary>
    /// Runs the command to completion and returns its output. Throws <see cref="ToolFailedException"/> when it
    /// exits non-zero (unless <paramref name="allowFailure"/>) or cannot be started.
    /// </summary>
    /// <param name="onOutputLine">Receives each line of stdout and stderr as it arrives (progress, logs).</param>
    public static async Task<CommandResult> RunAsync(
        this Command command,
        CancellationToken cancellationToken,
        bool allowFailure = false,
        Action<string>? onOutputLine = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Resolve(command.Tool) is null) throw new ToolFailedException(command, new FileNotFoundException($"{command.Tool} is not on PATH"));
        using var process = new Process { StartInfo = StartInfoFor(command) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Collect(stdout, e.Data, onOutputLine);
        process.ErrorDataReceived += (_, e) => Collect(stderr, e.Data, onOutputLine);

        var clock = Stopwatch.StartNew();
        try
        {
            StarterThread.Start(process);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ToolFailedException(command, e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await using (cancellationToken.Register(() => KillTree(process)))
        {
            if (command.StandardInput is { } input)
            {
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
                }
                catch (IOException)
                {
                    // The child closed its stdin early; its exit code tells the story.
                }
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync(CancellationToken.None);
        }
        cancellationToken.ThrowIfCancellationRequested();

        CommandResult result;
        lock (stdout)
        lock (stderr)
            result = new CommandResult(command, process.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
        if (!allowFailure && !result.Succeeded) throw new ToolFailedException(result);
        return result;
    }

    private static ProcessStartInfo StartInfoFor(Command command)
    {
        var info = new ProcessStartInfo(SetSid)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? "",
        };
        info.ArgumentList.Add(Resolve(command.Tool) ?? command.Tool);
        foreach (var argument in command.Arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return info;
    }

    private static void Collect(StringBuilder sink, string? line, Action<string>? onOutputLine)
    {
        if (line is null) return;
        lock (sink) sink.Append(line).Append('\n');
        onOutputLine?.Invoke(line);
    }

    private const string SetSid = "/usr/bin/setsid";

    private static void KillTree(Process process)
    {
        try
        {
            // setsid made the child the leader of its own group, whose id is its pid: signal the whole group.
            _ = KillProcessGroup(-process.Id, 9);
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillProcessGroup(int pid, int signal);

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
