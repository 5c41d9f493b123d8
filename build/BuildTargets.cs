using ConPaaS.Build.Targets;

namespace ConPaaS.Build;

/// <summary>Every target the build host knows, in the order --help lists them.</summary>
internal static class BuildTargets
{
    /// <summary>What ./build.sh builds without --target. The Nutshell image takes this over when it exists.</summary>
    public const string Default = "Tools";

    public static IReadOnlyList<Target> All { get; } =
    [
        new("Tools", "publish the command-line tools (cps-image) to out/bin/", [], ToolsTarget.RunAsync),
        new("Test", "run every test project (unit, oracle and end-to-end tests)", ["Tools"], TestTarget.RunAsync),
        new("Bench", "run the benchmarks and print ratios against baselines measured in the same run", ["Tools"], BenchTarget.RunAsync),
        new("Clean", "delete out/ (images, tools, caches)", [], CleanTarget.RunAsync),
    ];
}
