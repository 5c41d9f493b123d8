using ConPaaS.Build.Targets;

namespace ConPaaS.Build;

/// <summary>Every target the build host knows, in the order --help lists them.</summary>
internal static class BuildTargets
{
    /// <summary>What ./build.sh builds without --target.</summary>
    public const string Default = "Nutshell";

    public static IReadOnlyList<Target> All { get; } =
    [
        new("Nutshell", "build out/images/ConPaaS-Nutshell.ova (VirtualBox) from appliance/nutshell/recipe.yaml", ["Tools", "ContainerImage"],
            ImageTargets.Recipe(ImageTargets.NutshellRecipe)) { Tools = ImageTargets.Tools },
        new("ServiceImage", "build the ConPaaS services VM image (qcow2, with a kernel) from images/service/", [],
            ImageTargets.Recipe("images/service/recipe.yaml")) { Tools = ImageTargets.Tools },
        new("ContainerImage", "build the ConPaaS services LXC root filesystem (no kernel, the platform in /usr/local) from images/container/", ["Tools"],
            ImageTargets.Recipe("images/container/recipe.yaml")) { Tools = ImageTargets.Tools },
        new("RpiContainerImage", "build the Pi's services LXC root filesystem (arm64, the x86-64 node programs run by qemu-user) from rpi/container/", ["Tools"],
            ImageTargets.Recipe(ImageTargets.RpiContainerRecipe)) { Tools = ImageTargets.Tools },
        new("RpiImage", "build out/images/ConPaaS-RPi.img.xz (+ .img.bmap), the Raspberry Pi's SD card image (arm64, cross-built), from rpi/image/recipe.yaml", [],
            ImageTargets.Recipe(ImageTargets.RpiImageRecipe)) { Tools = ImageTargets.Tools },
        new("RpiBackend", "build out/images/ConPaaS-RPi-Backend.ova, the Pis' backend VM (director, frontend, time server; nodes on the Pis over lxc+ssh, their container image), from rpi/backend/recipe.yaml", ["Tools", "RpiContainerImage"],
            ImageTargets.Recipe(ImageTargets.RpiBackendRecipe)) { Tools = ImageTargets.Tools },
        new("Tools", "publish the platform to out/platform (a /usr/local tree: programs over one shared .NET runtime, links in bin/; out/bin links there)", [], ToolsTarget.RunAsync) { Tools = ToolsTarget.HostTools },
        new("Sandbox", "run the director (https://127.0.0.1:5555) and the web frontend (https://127.0.0.1:8443) in the foreground, local driver, all state in out/sandbox/", ["Tools"], SandboxTarget.RunAsync) { Tools = SandboxTarget.HostTools },
        new("Test", "run every test project (unit, oracle and end-to-end tests)", ["Tools"], TestTarget.RunAsync) { Tools = TestTarget.HostTools },
        new("NutshellTest", "boot the Nutshell .ova's disk under QEMU; as stack over SSH: the seeds' session, the driver conformance cases, a power cycle", ["Nutshell"], NutshellTestTarget.RunAsync) { Tools = NutshellTestTarget.HostTools },
        new("RpiTest", "write the Pi's SD image onto a 32 GB card file with bmaptool, check its layout (sfdisk, cps-image), boot it under qemu-system-aarch64 -M raspi3b to a login, check the root grew", ["Tools", "RpiImage"], RpiTestTarget.RunAsync) { Tools = RpiTestTarget.HostTools },
        new("RpiClusterTest", "the Pis' backend VM and a Pi (the SD image under qemu-system-aarch64 -M virt) on a network of their own: the Pi joins, takes the backend's time, and the director reaches its libvirtd over lxc+ssh", ["Tools", "RpiImage", "RpiBackend"], RpiClusterTestTarget.RunAsync) { Tools = RpiClusterTestTarget.HostTools },
        new("Run", "boot the built Nutshell under QEMU with loopback forwards for SSH, the director and the frontend; Ctrl-C powers it off", ["Nutshell"], RunTarget.RunAsync) { Tools = RunTarget.HostTools },
        new("ReproTest", "rebuild the Nutshell and the Pi image from their cached root filesystems and check the .ova and the .img.xz are byte-identical", ["Nutshell", "RpiImage"], ReproTestTarget.RunAsync) { Tools = ImageTargets.Tools },
        new("KillTest", "SIGKILL Nutshell builds at several points; check nothing is left mounted, running or half-published", ["Nutshell"], KillTestTarget.RunAsync) { Tools = KillTestTarget.HostTools },
        new("Bench", "run the benchmarks and print ratios against baselines measured in the same run", ["Tools"], BenchTarget.RunAsync) { Tools = BenchTarget.HostTools },
        new("Clean", "delete out/ (images, tools, caches)", [], CleanTarget.RunAsync),
    ];
}
