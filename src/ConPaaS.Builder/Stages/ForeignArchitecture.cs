using ConPaaS.Processes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// Runs an image's programs for another architecture (arm64 on an x86-64 build machine) through Debian's
/// qemu-user-static. The kernel starts a foreign binary through the interpreter registered in binfmt_misc; on a
/// systemd host that registration is made at boot, but this build must also work where nothing made it (a container,
/// a microVM whose init is not systemd). So each command that needs it runs in a mount namespace of its own where
/// binfmt_misc is mounted and qemu's entry registered from the package's own /usr/lib/binfmt.d file, unless the host
/// registered it already. Where the host has no binfmt_misc mounted (this machine), the entry lives only as long as
/// that mount (seen here: gone when the command ends); where the host has it mounted without qemu's entry, the entry
/// stays, as systemd-binfmt would have left it. This mounts the kernel's binfmt_misc control filesystem, never an image.
/// </summary>
public static class ForeignArchitecture
{
    public static readonly HostTool QemuAarch64 = new("qemu-aarch64-static", "qemu-user-static");

    /// <summary>mmdebstrap asks it whether the architecture can run before it starts.</summary>
    public static readonly HostTool ArchTest = new("arch-test", "arch-test");

    public static readonly HostTool Mount = new("mount", "mount");

    public static IReadOnlyList<HostTool> Tools => [QemuAarch64, ArchTest, Mount];

    /// <summary>The Debian architectures this build can emulate, and qemu's names for them.</summary>
    private static readonly Dictionary<string, string> QemuNames = new(StringComparer.Ordinal) { ["arm64"] = "aarch64", ["amd64"] = "x86_64" };

    /// <summary>Debian's release architectures: what a multiarch package qualifier (libc6:amd64) may name.</summary>
    public static bool IsDebianArchitecture(string name) =>
        name is "amd64" or "arm64" or "armel" or "armhf" or "i386" or "mips64el" or "mipsel" or "ppc64el" or "s390x" or "riscv64";

    private const string BinfmtDirectory = "/proc/sys/fs/binfmt_misc";

    public static string Native => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static bool IsForeign(string architecture) => architecture != Native;

    /// <summary>Checks a recipe's architecture can be built here; the message says what can.</summary>
    public static string? Problem(string architecture) =>
        !IsForeign(architecture) || QemuNames.ContainsKey(architecture) ? null
            : $"'{architecture}' can be neither run natively on this {Native} machine nor emulated here (emulated: {string.Join(", ", QemuNames.Keys)})";

    /// <summary><paramref name="command"/> itself when <paramref name="architecture"/> is native, else the command run
    /// with qemu's binfmt entry registered for it (see the class comment).</summary>
    public static Command For(string architecture, Command command)
    {
        if (!IsForeign(architecture)) return command;
        var qemu = QemuNames.GetValueOrDefault(architecture) ?? throw new InvalidDataException(Problem(architecture));
        const string script = "mount -t binfmt_misc binfmt_misc \"$1\" && { [ -e \"$1/qemu-$2\" ] || cat \"/usr/lib/binfmt.d/qemu-$2.conf\" > \"$1\"/register; } " +
                              "&& shift 2 && exec \"$@\"";
        return command.WrappedIn(BuildContext.Unshare.Name, "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", BinfmtDirectory, qemu);
    }
}
