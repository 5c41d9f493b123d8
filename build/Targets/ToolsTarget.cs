using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Publishes the programs as one tree shaped like /usr/local, which the Nutshell carries as it is and the tests run
/// from: out/platform/lib/conpaas/ holds cps-image, cpsdirector and cpsmanager over one shared .NET
/// runtime (self-contained, so the image needs no .NET package, but one runtime for three programs instead of three
/// single files of 75-125 MB each), and cpsagent and cps-tools, Native AOT (one native file each: the local driver
/// starts agents by the ten, and a JIT-compiled agent spends ~0.3 s of CPU before it listens; cps-tools runs once per
/// command, 3 times sooner than ReadyToRun under emulation); out/platform/bin/ holds relative links to them and
/// cps-tools' cps-&lt;object&gt; aliases. cpsmanager, whose JSON-RPC serializes results by reflection, is ReadyToRun.
/// The properties live in the projects, not on this command line, because global properties would reach the shared
/// libraries' .NET 9 build too. The tree is cached by a hash of the sources; out/platform is a link to the
/// cached tree, swapped in one rename, and out/bin a link to out/platform/bin.
/// </summary>
internal static class ToolsTarget
{
    private static readonly IReadOnlyList<(string Name, string Project, bool NativeAot)> Tools =
    [
        ("cps-image", "src/ConPaaS.Imaging.Cli/ConPaaS.Imaging.Cli.csproj", false),
        ("cps-tools", "src/ConPaaS.Tools/ConPaaS.Tools.csproj", true),
        ("cpsdirector", "src/ConPaaS.Director/ConPaaS.Director.csproj", false),
        ("cpsmanager", "src/ConPaaS.Manager/ConPaaS.Manager.csproj", false),
        ("cpsagent", "src/ConPaaS.Agent/ConPaaS.Agent.csproj", true),
    ];

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.Dotnet];

    /// <summary>A command running one of the programs this target publishes (made by the build, not a host tool).</summary>
    public static Command Published(BuildContext context, string name, params IEnumerable<string> arguments) =>
        Tools.Any(t => t.Name == name)
            ? new Command(Path.Combine(context.Bin, name), arguments)
            : throw new ArgumentException($"'{name}' is not a program the Tools target publishes", nameof(name));

    /// <summary>cps-tools is also installed under these names; the name it is called by chooses the object.</summary>
    public static readonly IReadOnlyList<string> ToolsAliases =
        ["application", "service", "user", "cloud", "director", .. ConPaaS.Platform.Services.ServiceTypes.All.Select(t => t.Name)];

    /// <summary>Where the programs live below the tree's root, as below /usr/local in the Nutshell.</summary>
    public const string ProgramsDirectory = "lib/conpaas";

    public static async Task RunAsync(BuildContext context)
    {
        var sources = Directory.EnumerateFiles(Path.Combine(context.Root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/") && (f.EndsWith(".cs") || f.EndsWith(".csproj")))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(f => Path.Combine(context.Root, f)));
        var key = StageCache.Key(context.Root, sources, Environment.Version.ToString(), "platform-v1", string.Join(";", Tools));

        var published = await context.Cache.GetOrBuildAsync("tools", key, async tree =>
        {
            var programs = Path.Combine(tree, ProgramsDirectory);
            foreach (var (name, project, nativeAot) in Tools)
            {
                // Into one directory: the runtime's files are the same for every program, so each publish leaves them as they were.
                string[] packaging = nativeAot ? ["-p:StripSymbols=true"] : [];
                await context.RunAsync(SharedTools.Dotnet.Command(["publish", Path.Combine(context.Root, project),
                    "-c", "Release", "-r", "linux-x64", "--self-contained", "true", "--nologo", .. packaging, "-p:DebugType=none", "-o", programs]));
            }
            var bin = Path.Combine(tree, "bin");
            Directory.CreateDirectory(bin);
            foreach (var (name, _, _) in Tools) File.CreateSymbolicLink(Path.Combine(bin, name), $"../{ProgramsDirectory}/{name}");
            foreach (var alias in ToolsAliases) File.CreateSymbolicLink(Path.Combine(bin, "cps-" + alias), "cps-tools");
        });

        SwapLink(context.Platform, Path.GetRelativePath(context.Out, published));
        if (Directory.Exists(context.Bin) && new DirectoryInfo(context.Bin).LinkTarget is null) Directory.Delete(context.Bin, recursive: true); // out/bin of older builds
        SwapLink(context.Bin, "platform/bin");
        BuildContext.Log($"  published out/platform ({string.Join(", ", Tools.Select(t => t.Name))} and {ToolsAliases.Count} cps-<object> aliases; out/bin links to out/platform/bin)");
    }

    /// <summary>Points <paramref name="link"/> at <paramref name="target"/> in one rename, so a reader sees the old tree or the new one.</summary>
    private static void SwapLink(string link, string target)
    {
        if (new FileInfo(link).LinkTarget == target) return;
        var temporary = link + ".new";
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        // rename(2) itself: File.Move refuses a link to a directory as its source.
        if (Rename(temporary, link) != 0)
            throw new BuildException($"cannot point {link} at {target}: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);
}
