using System.Diagnostics;
using ConPaaS.Builder;
using ConPaaS.Common;
using ConPaaS.Imaging.Ova;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Starts Nutshell builds and kills them with SIGKILL at several points (unpacking, chroot work, mke2fs, disk
/// assembly, packing). After each kill: nothing of the build may still run, nothing may be mounted, no loop device
/// may exist, and out/images may hold no partial file (an .ova there must verify). Then a build must succeed.
/// </summary>
internal static class KillTestTarget
{
    private static readonly int[] KillAfterSeconds = [1, 3, 6, 9, 12, 15, 18, 21];

    /// <summary>It starts the build host itself (its builds run the Nutshell's tools, which that target declares).</summary>
    public static IReadOnlyList<HostTool> HostTools => [SharedTools.Dotnet];

    public static async Task RunAsync(BuildContext context)
    {
        var loopsBefore = LoopDevices();
        for (var run = 0; run < KillAfterSeconds.Length; run++)
        {
            // A timestamp of its own makes every run redo the customize and image stages instead of hitting the cache.
            var seconds = KillAfterSeconds[run];
            var build = StartBuild(context, context.SourceDateEpoch + 1 + run);
            await Task.WhenAny(build.WaitForExitAsync(context.CancellationToken), Task.Delay(TimeSpan.FromSeconds(seconds), context.CancellationToken));
            var finished = build.HasExited;
            if (!finished) build.Kill(); // SIGKILL, the build host alone: its children must take care of themselves
            await build.WaitForExitAsync(context.CancellationToken);
            await Task.Delay(1500, context.CancellationToken); // let the kernel deliver parent-death signals
            var problems = Leftovers(context, loopsBefore);
            BuildContext.Log($"  killed after {seconds,2}s{(finished ? " (it had already finished)" : $" while: {build.LastLine}")}");
            BuildContext.Log($"    {(problems.Count == 0 ? "nothing left behind" : string.Join("; ", problems))}");
            if (problems.Count > 0) throw new BuildException($"a build killed after {seconds}s left things behind: {string.Join("; ", problems)}");
        }

        var last = StartBuild(context, context.SourceDateEpoch + 1 + KillAfterSeconds.Length);
        await last.WaitForExitAsync(context.CancellationToken);
        if (last.ExitCode != 0) throw new BuildException($"the build after the kills failed with exit code {last.ExitCode}");
        var report = OvaVerifier.Verify(Path.Combine(context.Images, "ConPaaS-Nutshell.ova"));
        if (!report.Ok) throw new BuildException($"the .ova built after the kills does not verify: {string.Join("; ", report.Problems)}");
        BuildContext.Log($"KILL {KillAfterSeconds.Length} builds killed with SIGKILL left nothing behind; the next build succeeded");
    }

    /// <summary>A build host process and the last line it printed (what it was doing when killed).</summary>
    private sealed class BuildProcess(Process process)
    {
        public Process Process { get; } = process;
        public string LastLine { get; set; } = "";
        public bool HasExited => Process.HasExited;
        public int ExitCode => Process.ExitCode;
        public void Kill() => Process.Kill();
        public Task WaitForExitAsync(CancellationToken token) => Process.WaitForExitAsync(token);
    }

    private static BuildProcess StartBuild(BuildContext context, long epoch)
    {
        var info = new ProcessStartInfo(SharedTools.Dotnet.Name) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = context.Root };
        foreach (var argument in new[] { typeof(KillTestTarget).Assembly.Location, "--target", "Nutshell" }) info.ArgumentList.Add(argument);
        info.Environment["SOURCE_DATE_EPOCH"] = epoch.ToString();
        var process = Process.Start(info)!;
        var build = new BuildProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            // Step lines are indented two spaces; a tool's own output, four.
            if (e.Data is { } line && line.StartsWith("  ") && !line.StartsWith("    ")) build.LastLine = Text.Shorten(line.Trim(), 110);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return build;
    }

    private static List<string> Leftovers(BuildContext context, IReadOnlySet<string> loopsBefore)
    {
        var problems = new List<string>();
        foreach (var (pid, commandLine) in Processes())
        {
            if (pid == Environment.ProcessId) continue;
            if (commandLine.Contains(context.Out) || commandLine.Contains("mmdebstrap") || commandLine.Contains("--target Nutshell"))
                problems.Add($"process {pid} still runs: {commandLine}");
        }
        foreach (var mount in File.ReadAllLines("/proc/mounts").Where(m => m.Contains(context.Root) || m.Contains("mmdebstrap")))
            problems.Add($"still mounted: {mount}");
        foreach (var loop in LoopDevices().Except(loopsBefore)) problems.Add($"loop device in use: {loop}");
        foreach (var entry in Directory.Exists(context.Images) ? Directory.GetFileSystemEntries(context.Images) : [])
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') || name.EndsWith(".partial")) problems.Add($"partial output in out/images: {name}");
            else if (name.EndsWith(".ova") && OvaVerifier.Verify(entry) is { Ok: false } report)
                problems.Add($"out/images/{name} does not verify: {report.Problems[0]}");
        }
        return problems;
    }

    private static IEnumerable<(int Pid, string CommandLine)> Processes()
    {
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // it exited while we looked
            }
            if (commandLine.Length > 0) yield return (pid, commandLine);
        }
    }

    /// <summary>Loop devices with a backing file, from sysfs (no losetup needed).</summary>
    private static IReadOnlySet<string> LoopDevices() =>
        Directory.Exists("/sys/block")
            ? Directory.GetDirectories("/sys/block", "loop*").Where(d => File.Exists(Path.Combine(d, "loop", "backing_file")))
                .Select(Path.GetFileName).OfType<string>().ToHashSet()
            : new HashSet<string>();
}
