using System.Diagnostics;
using ConPaaS.Builder;
using ConPaaS.Builder.Stages;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Benchmarks, each printed as a ratio against a baseline measured in the same run on the same machine.
/// VMDK: converting a 2 GiB raw disk holding a real ext4 filesystem, ours against qemu-img.
/// Director: listapp requests per second and p99 under 32 mutual-TLS clients, against bare Kestrel.
/// Life cycle: application start, service start and add_nodes of 10 agents on the local driver.
/// Frontend: the dashboard and an application page for 200 applications of 20 services, beside /listapp.
/// services: php, java and mysql from service start to the first request; php through the proxy beside nginx directly.
/// </summary>
internal static class BenchTarget
{
    private const int Rounds = 2;
    private const double VmdkTarget = 0.5;
    private const string FilesystemContent = "/usr/share/dotnet"; // real, mixed data that every machine with the SDK has

    /// <summary>The frontend bench writes its rows into the director's database with the SQLite shell.</summary>
    private static readonly HostTool Sqlite = new("sqlite3", "sqlite3");

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.Dotnet, SharedTools.QemuImg, CustomizeStage.Mke2fs, Sqlite, TestTarget.MariadbClient, .. SandboxTarget.PlatformTools];

    public static async Task RunAsync(BuildContext context)
    {
        var disk = await BenchDiskAsync(context);
        var work = Path.Combine(context.Out, "bench");
        Directory.CreateDirectory(work);
        try
        {
            await VmdkBenchAsync(context, disk, work);
            await DirectorBenchAsync(context, work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task VmdkBenchAsync(BuildContext context, string disk, string work)
    {
        var ours = Path.Combine(work, "ours.vmdk");
        var theirs = Path.Combine(work, "qemu.vmdk");
        var ourCommand = ToolsTarget.Published(context, "cps-image", "convert", "--to", "vmdk", disk, ours);
        var qemuCommand = SharedTools.QemuImg.Command("convert", "-O", "vmdk", "-o", "subformat=streamOptimized", disk, theirs);

        await using (var warm = File.OpenRead(disk)) await warm.CopyToAsync(Stream.Null, context.CancellationToken); // same page cache for both
        var ourTimes = new List<double>();
        var qemuTimes = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            ourTimes.Add(await TimeAsync(context, ourCommand, ours));
            qemuTimes.Add(await TimeAsync(context, qemuCommand, theirs));
        }

        foreach (var vmdk in new[] { ours, theirs })
        {
            await context.RunAsync(SharedTools.QemuImg.Command("compare", disk, vmdk));
            await context.RunAsync(SharedTools.QemuImg.Command("check", vmdk));
        }

        var best = ourTimes.Min();
        var baseline = qemuTimes.Min();
        var ratio = best / baseline;
        BuildContext.Log("");
        BuildContext.Log($"BENCH vmdk-convert: 2 GiB raw disk with ext4 of {FilesystemContent}, {Environment.ProcessorCount} cores, best of {Rounds}");
        BuildContext.Log($"  cps-image convert --to vmdk          {best,7:0.00} s   {new FileInfo(ours).Length / 1048576.0,8:0.0} MiB");
        BuildContext.Log($"  qemu-img convert (streamOptimized)   {baseline,7:0.00} s   {new FileInfo(theirs).Length / 1048576.0,8:0.0} MiB");
        BuildContext.Log($"  ratio ours/qemu-img = {ratio:0.000} (target <= {VmdkTarget}) {(ratio <= VmdkTarget ? "MET" : "MISSED")}");
    }

    /// <summary>The director under 32 mutual-TLS clients against a bare Kestrel ceiling (bench/ConPaaS.Bench).</summary>
    private static async Task DirectorBenchAsync(BuildContext context, string work)
    {
        var output = Path.Combine(work, "director-bench");
        await context.RunAsync(SharedTools.Dotnet.Command("build", Path.Combine(context.Root, "bench", "ConPaaS.Bench", "ConPaaS.Bench.csproj"),
            "-c", "Release", "--nologo", "-v", "quiet", "-o", output), echoOutput: false);
        await context.RunAsync(SharedTools.Dotnet.Command(Path.Combine(output, "ConPaaS.Bench.dll"), "director", context.Bin).Contained());
        await context.RunAsync(SharedTools.Dotnet.Command(Path.Combine(output, "ConPaaS.Bench.dll"), "lifecycle", context.Bin).Contained());
        await context.RunAsync(SharedTools.Dotnet.Command(Path.Combine(output, "ConPaaS.Bench.dll"), "frontend", context.Bin).Contained());
        await context.RunAsync(SharedTools.Dotnet.Command(Path.Combine(output, "ConPaaS.Bench.dll"), "services", context.Bin).Contained());
    }

    private static async Task<double> TimeAsync(BuildContext context, Command command, string output)
    {
        File.Delete(output);
        var clock = Stopwatch.StartNew();
        await command.RunAsync(context.CancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        BuildContext.Log($"  {seconds,7:0.00} s  {command}");
        return seconds;
    }

    /// <summary>A 2 GiB MBR disk whose one partition holds an ext4 filesystem made by mke2fs -d; cached.</summary>
    private static async Task<string> BenchDiskAsync(BuildContext context)
    {
        var key = StageCache.Key(context.Root, [], "bench-disk-v1", FilesystemContent, Environment.Version.ToString());
        var directory = await context.Cache.GetOrBuildAsync("bench-disk", key, async work =>
        {
            var filesystem = Path.Combine(work, "root.ext4");
            await context.RunAsync(CustomizeStage.Mke2fs.Command("-q", "-F", "-t", "ext4", "-d", FilesystemContent, "-E", "root_owner=0:0",
                filesystem, "2044M"));
            var layout = Path.Combine(work, "layout.yaml");
            await File.WriteAllTextAsync(layout, "table: mbr\nsize: 2GiB\npartitions:\n  - { name: root, type: linux, size: rest, image: root.ext4 }\n");
            await context.RunAsync(ToolsTarget.Published(context, "cps-image", "layout", layout, Path.Combine(work, "disk.raw")));
            File.Delete(filesystem);
        });
        return Path.Combine(directory, "disk.raw");
    }
}
