using System.Diagnostics;
using ConPaaS.Processes;

namespace ConPaaS.Builder;

/// <summary>What every target gets: the repository's paths, the stage cache, a logger and the one way to run tools.</summary>
public sealed class BuildContext(string root, CancellationToken cancellationToken, string? cacheRoot = null)
{
    /// <summary>ConPaaS.Processes starts every command through setsid (its own process group, killed as one).</summary>
    public static readonly HostTool Setsid = new("setsid", "util-linux");

    /// <summary><see cref="Command.Contained"/> wraps every tool <see cref="RunAsync"/> runs in these two.</summary>
    public static readonly HostTool Setpriv = new("setpriv", "util-linux"), Unshare = new("unshare", "util-linux");

    /// <summary>For the last commit's time; without it, SOURCE_DATE_EPOCH falls back to 0.</summary>
    public static readonly HostTool Git = new("git", "git") { Optional = true };

    /// <summary>The tools every target that runs a command through this context needs.</summary>
    public static IReadOnlyList<HostTool> Tools => [Setsid, Setpriv, Unshare, Git];

    public string Root { get; } = root;

    public string Out => Path.Combine(Root, "out");

    public string Bin => Path.Combine(Out, "bin");

    /// <summary>The platform's programs as a tree shaped like /usr/local (the Tools target's output).</summary>
    public string Platform => Path.Combine(Out, "platform");

    /// <summary>The part of the platform a node runs (cpsmanager, cpsagent and their runtime), shaped the same way: what the container image carries.</summary>
    public string NodePlatform => Path.Combine(Out, "platform-node");

    /// <summary>The same for the Pi's containers, built for the Tools target's PiNodeRuntime.</summary>
    public string PiNodePlatform => Path.Combine(Out, "platform-node-pi");

    public string Images => Path.Combine(Out, "images");

    public StageCache Cache { get; } = new(cacheRoot ?? Path.Combine(root, "out", "cache"), Log);

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>
    /// The timestamp every output carries: SOURCE_DATE_EPOCH when set, else the time of the last commit, so that
    /// the same checkout builds the same bytes (0 outside a git checkout).
    /// </summary>
    public long SourceDateEpoch => _sourceDateEpoch ??= ReadSourceDateEpoch(Root);

    private long? _sourceDateEpoch;

    private static long ReadSourceDateEpoch(string root)
    {
        if (long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var fromEnvironment)) return fromEnvironment;
        if (!ProcessRunner.IsOnPath(Git.Name)) return 0;
        var git = Git.Command("-C", root, "log", "-1", "--format=%ct").RunAsync(CancellationToken.None, allowFailure: true).GetAwaiter().GetResult();
        return long.TryParse(git.StandardOutput.Trim(), out var commitTime) ? commitTime : 0;
    }

    public static void Log(string message) => Console.WriteLine(message);

    /// <summary>
    /// Runs a tool, echoing its command line and streaming its output, indented, as progress. Every tool runs
    /// contained (<see cref="Command.Contained"/>): if the build is killed, even by SIGKILL, nothing it started lives on.
    /// </summary>
    public async Task<CommandResult> RunAsync(Command command, bool echoOutput = true)
    {
        Log($"  $ {command}");
        command = command.Contained();
        var clock = Stopwatch.StartNew();
        var result = await command.RunAsync(CancellationToken, onOutputLine: echoOutput ? line => Console.WriteLine($"    {line}") : null);
        Log($"    ({clock.Elapsed.TotalSeconds:0.0}s)");
        return result;
    }

    /// <summary>
    /// A scratch directory out/work/NAME.PID for this build, after removing any a killed build left behind (their
    /// process id no longer exists). The caller deletes it when done.
    /// </summary>
    public string WorkDirectory(string name)
    {
        var root = Path.Combine(Out, "work");
        Directory.CreateDirectory(root);
        foreach (var directory in Directory.GetDirectories(root))
        {
            var suffix = Path.GetExtension(directory).TrimStart('.');
            if (int.TryParse(suffix, out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                Directory.Delete(directory, recursive: true);
        }
        var work = Path.Combine(root, $"{name}.{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        return work;
    }

    /// <summary>
    /// Moves a file finished in a work directory (<see cref="WorkDirectory"/>, on the same filesystem) into an output
    /// directory with one rename, so that nothing temporary or partial ever appears there, even when the build is
    /// killed (KillTest looks). Returns its new path.
    /// </summary>
    public static string MoveInto(string file, string directory)
    {
        var destination = Path.Combine(directory, Path.GetFileName(file));
        File.Move(file, destination, overwrite: true);
        return destination;
    }

    /// <summary>Copies a finished file to its published place atomically (<see cref="ConPaaS.Common.AtomicFile"/>).</summary>
    public static void Publish(string source, string destination)
    {
        using var output = ConPaaS.Common.AtomicFile.Create(destination);
        using (var input = File.OpenRead(source)) input.CopyTo(output.Stream);
        File.SetUnixFileMode(output.TemporaryPath, File.GetUnixFileMode(source));
        output.Commit();
    }
}
