using ConPaaS.Build.Targets;
using ConPaaS.Builder;

namespace ConPaaS.Build;

/// <summary>Every target the build host knows, in the order --help lists them.</summary>
internal static class BuildTargets
{
    /// <summary>What ./build.sh builds without --target.</summary>
    public const string Default = "Nutshell";

    public static IReadOnlyList<Target> All { get; } =
    [
        new("Nutshell", "build out/images/ConPaaS-Nutshell.ova (VirtualBox) from appliance/nutshell/recipe.yaml", ["Tools"],
            ImageTargets.Recipe(ImageTargets.NutshellRecipe)),
        new("ServiceImage", "build the ConPaaS services VM image (qcow2, with a kernel) from images/service/", [],
            ImageTargets.Recipe("images/service/recipe.yaml")),
        new("ContainerImage", "build the ConPaaS services LXC root filesystem (no kernel) from images/container/", [],
            ImageTargets.Recipe("images/container/recipe.yaml")),
        new("Tools", "publish cps-image, cps-tools (and its cps-<object> aliases), cpsdirector, cpsmanager and cpsagent to out/bin/", [], ToolsTarget.RunAsync),
        new("Sandbox", "run the director in the foreground at https://127.0.0.1:5555, local driver, all state in out/sandbox/", ["Tools"], SandboxTarget.RunAsync),
        new("Test", "run every test project (unit, oracle and end-to-end tests)", ["Tools"], TestTarget.RunAsync),
        new("BootTest", "boot the Nutshell .ova's disk under QEMU, wait for login and SSH, run a command, power off", ["Nutshell"], BootTestTarget.RunAsync),
        new("ReproTest", "rebuild the Nutshell from its cached root filesystem and check the .ova is byte-identical", ["Nutshell"], ReproTestTarget.RunAsync),
        new("KillTest", "SIGKILL Nutshell builds at several points; check nothing is left mounted, running or half-published", ["Nutshell"], KillTestTarget.RunAsync),
        new("Bench", "run the benchmarks and print ratios against baselines measured in the same run", ["Tools"], BenchTarget.RunAsync),
        new("Clean", "delete out/ (images, tools, caches)", [], CleanTarget.RunAsync),
    ];
}
