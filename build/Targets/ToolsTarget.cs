using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Publishes each program as one self-contained executable into out/bin/, cached by a hash of the sources.
/// The node programs are compiled ahead of time, as their projects say: the local driver starts agents by the ten, and
/// a JIT-compiled agent spends ~0.3 s of CPU before it listens. cpsagent is Native AOT (one native file, published
/// as is); cpsmanager, whose JSON-RPC serializes results by reflection, is ReadyToRun inside a single file. The
/// properties live in the projects, not on this command line, because global properties would reach the shared
/// libraries' .NET 9 build too.
/// </summary>
internal static class ToolsTarget
{
    private static readonly IReadOnlyList<(string Name, string Project, bool NativeAot)> Tools =
    [
        ("cps-image", "src/ConPaaS.Imaging.Cli/ConPaaS.Imaging.Cli.csproj", false),
        ("cps-tools", "src/ConPaaS.Tools/ConPaaS.Tools.csproj", false),
        ("cpsdirector", "src/ConPaaS.Director/ConPaaS.Director.csproj", false),
        ("cpsmanager", "src/ConPaaS.Manager/ConPaaS.Manager.csproj", false),
        ("cpsagent", "src/ConPaaS.Agent/ConPaaS.Agent.csproj", true),
    ];

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.Dotnet];

    /// <summary>A command running one of the programs this target publishes to out/bin/ (made by the build, not a host tool).</summary>
    public static Command Published(BuildContext context, string name, params IEnumerable<string> arguments) =>
        Tools.Any(t => t.Name == name)
            ? new Command(Path.Combine(context.Bin, name), arguments)
            : throw new ArgumentException($"'{name}' is not a program the Tools target publishes", nameof(name));

    /// <summary>cps-tools is also installed under these names; the name it is called by chooses the object.</summary>
    public static readonly IReadOnlyList<string> ToolsAliases =
        ["application", "service", "user", "cloud", "director", .. ConPaaS.Platform.Services.ServiceTypes.All.Select(t => t.Name)];

    public static async Task RunAsync(BuildContext context)
    {
        var sources = Directory.EnumerateFiles(Path.Combine(context.Root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/") && (f.EndsWith(".cs") || f.EndsWith(".csproj")))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(f => Path.Combine(context.Root, f)));
        var key = StageCache.Key(context.Root, sources, Environment.Version.ToString(), string.Join(";", Tools));

        var published = await context.Cache.GetOrBuildAsync("tools", key, async directory =>
        {
            foreach (var (name, project, nativeAot) in Tools)
            {
                string[] packaging = nativeAot ? ["-p:StripSymbols=true"] : ["-p:PublishSingleFile=true", "-p:IncludeNativeLibrariesForSelfExtract=true"];
                await context.RunAsync(SharedTools.Dotnet.Command(["publish", Path.Combine(context.Root, project),
                    "-c", "Release", "-r", "linux-x64", "--self-contained", "true", "--nologo", .. packaging, "-p:DebugType=none", "-o", Path.Combine(directory, name)]));
            }
        });

        foreach (var (name, _, _) in Tools)
        {
            BuildContext.Publish(Path.Combine(published, name, name), Path.Combine(context.Bin, name));
            BuildContext.Log($"  published out/bin/{name}");
        }
        foreach (var alias in ToolsAliases)
        {
            var link = Path.Combine(context.Bin, "cps-" + alias);
            if (File.Exists(link) || Directory.Exists(link) || new FileInfo(link).LinkTarget is not null) File.Delete(link);
            File.CreateSymbolicLink(link, "cps-tools");
        }
    }
}
