using System.Xml.Linq;
using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Publishes the programs as trees shaped like /usr/local: out/platform, which the Nutshell carries as it is and the
/// tests run from, and out/platform-node, the part a node runs, which the container image carries.
/// lib/conpaas/ holds cps-image, cpsdirector, cpsfrontend and cpsmanager over one shared .NET runtime (self-contained, so the
/// image needs no .NET package, but one runtime for three programs instead of three single files of 75-125 MB
/// each), and cpsagent and cps-tools, Native AOT (one native file each: the local driver starts agents by the ten,
/// and a JIT-compiled agent spends ~0.3 s of CPU before it listens; cps-tools runs once per command, 3 times sooner
/// than ReadyToRun under emulation); bin/ holds relative links to them and cps-tools' cps-&lt;object&gt; aliases.
/// cpsmanager, whose JSON-RPC serializes results by reflection, is ReadyToRun.
/// Each program is published into a cache entry of its own, keyed by the sources of its project and the projects it
/// references, so that a change to the director publishes the director alone and leaves out/platform-node (and so
/// the container image) as it was. The properties live in the projects, not on this command line, because global
/// properties would reach the shared libraries' .NET 9 build too. out/platform and out/platform-node are links to
/// cached trees, swapped in one rename, and out/bin a link to out/platform/bin.
/// </summary>
internal static class ToolsTarget
{
    private sealed record Program(string Name, string Project, bool NativeAot, bool RunsOnNodes);

    private static readonly IReadOnlyList<Program> Programs =
    [
        new("cps-image", "src/ConPaaS.Imaging.Cli/ConPaaS.Imaging.Cli.csproj", NativeAot: false, RunsOnNodes: false),
        new("cps-tools", "src/ConPaaS.Tools/ConPaaS.Tools.csproj", NativeAot: true, RunsOnNodes: false),
        new("cpsdirector", "src/ConPaaS.Director/ConPaaS.Director.csproj", NativeAot: false, RunsOnNodes: false),
        new("cpsfrontend", "src/ConPaaS.Frontend/ConPaaS.Frontend.csproj", NativeAot: false, RunsOnNodes: false),
        new("cpsmanager", "src/ConPaaS.Manager/ConPaaS.Manager.csproj", NativeAot: false, RunsOnNodes: true),
        new("cpsagent", "src/ConPaaS.Agent/ConPaaS.Agent.csproj", NativeAot: true, RunsOnNodes: true),
    ];

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.Dotnet];

    /// <summary>Everything but the Pi's node programs runs on x86-64.</summary>
    private const string Runtime = "linux-x64";

    /// <summary>
    /// What the Pi's node programs (out/platform-node-pi, in its container image) are built for. linux-x64 today: no
    /// linux-arm64 .NET runtime pack is reachable from this build machine, so the Pi runs the x86-64 builds under
    /// qemu-user (README, "Raspberry Pi"). The switch for the day it is reachable: linux-arm64 here (Native AOT's
    /// cross-compilation then also wants clang and an arm64 sysroot on the build machine).
    /// </summary>
    public static readonly string PiNodeRuntime = "linux-x64";

    /// <summary>A command running one of the programs this target publishes (made by the build, not a host tool).</summary>
    public static Command Published(BuildContext context, string name, params IEnumerable<string> arguments) =>
        Programs.Any(t => t.Name == name)
            ? new Command(Path.Combine(context.Bin, name), arguments)
            : throw new ArgumentException($"'{name}' is not a program the Tools target publishes", nameof(name));

    /// <summary>cps-tools is also installed under these names; the name it is called by chooses the object.</summary>
    public static readonly IReadOnlyList<string> ToolsAliases =
        ["application", "service", "user", "cloud", "director", .. ConPaaS.Platform.Services.ServiceTypes.All.Select(t => t.Name)];

    /// <summary>Where the programs live below the tree's root, as below /usr/local in the Nutshell.</summary>
    public const string ProgramsDirectory = "lib/conpaas";

    public static async Task RunAsync(BuildContext context)
    {
        var published = new List<(Program Program, string Key, string Directory)>();
        foreach (var program in Programs) published.Add(await PublishAsync(context, program, Runtime));
        var piPublished = published.Where(p => p.Program.RunsOnNodes).ToList();
        if (PiNodeRuntime != Runtime)
        {
            piPublished.Clear();
            foreach (var program in Programs.Where(p => p.RunsOnNodes)) piPublished.Add(await PublishAsync(context, program, PiNodeRuntime));
        }

        var platform = await AssembleAsync(context, "platform", published, withAliases: true);
        var nodePlatform = await AssembleAsync(context, "platform-node", [.. published.Where(p => p.Program.RunsOnNodes)], withAliases: false);
        var piNodePlatform = await AssembleAsync(context, "platform-node", piPublished, withAliases: false);
        ConPaaS.Common.SymbolicLink.Replace(context.Platform, Path.GetRelativePath(context.Out, platform));
        ConPaaS.Common.SymbolicLink.Replace(context.NodePlatform, Path.GetRelativePath(context.Out, nodePlatform));
        ConPaaS.Common.SymbolicLink.Replace(context.PiNodePlatform, Path.GetRelativePath(context.Out, piNodePlatform));
        if (Directory.Exists(context.Bin) && new DirectoryInfo(context.Bin).LinkTarget is null) Directory.Delete(context.Bin, recursive: true); // out/bin of older builds
        ConPaaS.Common.SymbolicLink.Replace(context.Bin, "platform/bin");
        BuildContext.Log($"  published out/platform ({string.Join(", ", Programs.Select(t => t.Name))} and {ToolsAliases.Count} cps-<object> aliases; out/bin links to out/platform/bin) and out/platform-node ({string.Join(", ", Programs.Where(p => p.RunsOnNodes).Select(p => p.Name))})");
    }

    private static async Task<(Program Program, string Key, string Directory)> PublishAsync(BuildContext context, Program program, string runtime)
    {
        var key = ProgramKey(context, program, runtime);
        var directory = await context.Cache.GetOrBuildAsync("program-" + program.Name, key, output =>
        {
            string[] packaging = program.NativeAot ? ["-p:StripSymbols=true"] : [];
            return context.RunAsync(SharedTools.Dotnet.Command(["publish", Path.Combine(context.Root, program.Project),
                "-c", "Release", "-r", runtime, "--self-contained", "true", "--nologo", .. packaging, "-p:DebugType=none", "-o", output]));
        });
        return (program, key, directory);
    }

    /// <summary>
    /// The sources a program is built from: its project's folder and those of the projects it references, followed
    /// to the end, and the files every project reads.
    /// </summary>
    private static string ProgramKey(BuildContext context, Program program, string runtime)
    {
        var projects = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(Path.Combine(context.Root, program.Project))]);
        while (pending.TryPop(out var project))
        {
            if (!projects.Add(project)) continue;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, (string)reference.Attribute("Include")!)));
        }
        var sources = projects
            .SelectMany(p => Directory.EnumerateFiles(Path.GetDirectoryName(p)!, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/")) // every file: pages, scripts and style sheets are built in too
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(f => Path.Combine(context.Root, f)));
        // The x86-64 build keeps its old key (no runtime in it), so the switch rebuilds nothing of the x86-64 side.
        string[] target = runtime == Runtime ? [] : [runtime];
        return StageCache.Key(context.Root, sources, [Environment.Version.ToString(), "program-v1", program.ToString(), .. target]);
    }

    /// <summary>
    /// One /usr/local-shaped tree of the given programs' published files. Programs published self-contained carry the
    /// same runtime and shared libraries; the first copy of a file is kept. That is safe because a program's key covers
    /// the sources of every library it carries: two programs carrying a library were built from its same sources (the
    /// bytes may still differ: a library compiled by two build invocations need not be byte-identical).
    /// </summary>
    private static Task<string> AssembleAsync(BuildContext context, string stage, IReadOnlyList<(Program Program, string Key, string Directory)> programs, bool withAliases)
    {
        var key = StageCache.Key(context.Root, [], [stage, .. programs.Select(p => p.Key), withAliases ? string.Join(",", ToolsAliases) : ""]);
        return context.Cache.GetOrBuildAsync(stage, key, tree =>
        {
            var lib = Path.Combine(tree, ProgramsDirectory);
            foreach (var (_, _, directory) in programs)
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                {
                    var target = Path.Combine(lib, Path.GetRelativePath(directory, file));
                    if (File.Exists(target)) continue;
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target);
                }
            }
            var bin = Path.Combine(tree, "bin");
            Directory.CreateDirectory(bin);
            foreach (var (program, _, _) in programs) File.CreateSymbolicLink(Path.Combine(bin, program.Name), $"../{ProgramsDirectory}/{program.Name}");
            if (withAliases)
                foreach (var alias in ToolsAliases) File.CreateSymbolicLink(Path.Combine(bin, "cps-" + alias), "cps-tools");
            return Task.CompletedTask;
        });
    }
}
