using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>Host tools that more than one target runs, declared once here.</summary>
internal static class SharedTools
{
    /// <summary>The .NET SDK: build.sh and build.ps1 require it before anything else, so the build never installs it.</summary>
    public static readonly HostTool Dotnet = new("dotnet", Package: null);

    /// <summary>
    /// QEMU 10 or later for the host's system emulators and qemu-img (bookworm's is 7.2; build.sh takes 10 from
    /// bookworm-backports). 7.2's x86 translator breaks JIT-compiled guest code: it killed the x86-64 cpsmanager under
    /// qemu-user in 4 rounds of 8 (README, "Raspberry Pi") and, by all signs, a Nutshell's Tomcat under qemu-system
    /// (SIGSEGV in the JVM's C1 code), where 10 ran clean. They share one qemu-system-common, so they move together.
    /// The cross-build's qemu-aarch64-static (ForeignArchitecture) stays bookworm's: it runs dpkg and apt, no JIT.
    /// </summary>
    public const string QemuMinimumVersion = "1:10.0";

    public static readonly HostTool QemuImg = new("qemu-img", "qemu-utils") { MinimumVersion = QemuMinimumVersion };

    public static readonly HostTool Sfdisk = new("sfdisk", "fdisk");
}
