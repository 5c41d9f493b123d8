using ConPaaS.Builder;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Build.Targets;

/// <summary>Runs every test project; the CLI tests drive the tools just published to out/bin/.</summary>
internal static class TestTarget
{
    /// <summary>MariaDB's own client: how mysql's tests and benchmark reach the databases, as a user would.</summary>
    public static readonly HostTool MariadbClient = new("mariadb", "mariadb-client");

    /// <summary>What the tests run as oracles (reading and checking our files) and the code under test runs.</summary>
    private static readonly HostTool[] TestTools =
    [
        SharedTools.QemuImg, SharedTools.Sfdisk, new("sgdisk", "gdisk"), ConPaaS.Builder.Boot.RaspiFirmware.MkfsVfat, ConPaaS.Builder.Boot.RaspiFirmware.Mcopy,
        CustomizeStage.Mke2fs, new("debugfs", "e2fsprogs"), new("e2fsck", "e2fsprogs"), new("dumpe2fs", "e2fsprogs"), CustomizeStage.Xz, ImageStage.Mkswap, new("blkid", "util-linux"),
        new("sha256sum", "coreutils"), CustomizeStage.Tar, new("sqlite3", "sqlite3"), CustomizeStage.Openssl, new("curl", "curl"),
        new("zip", "zip"), new("bzip2", "bzip2"), new("mknod", "coreutils"), NutshellMachine.Ssh,
        // libvirt's own client: the oracle for our libvirt binding, and it brings the libvirt.so.0 the binding loads.
        new("virsh", "libvirt-clients"),
        // The browser the frontend's tests drive through Playwright (Playwright's own download does not work here).
        new("chromium", "chromium"),
        // GRUB's own boot sector and core image head, which the boot-sector patch is checked against.
        new(Path.Combine(ConPaaS.Builder.Boot.GrubBios.ModuleDirectory, "diskboot.img"), "grub-pc-bin"),
        // mysql's tests connect as a user would, with MariaDB's own client; the seeds' WordPress tutorial is done with
        // the WordPress that Debian packages (no download from the internet), with its default theme.
        MariadbClient, new("/usr/share/wordpress/wp-config-sample.php", "wordpress"),
        new("/usr/share/wordpress/wp-content/themes/twentytwentythree/style.css", "wordpress-theme-twentytwentythree"),
    ];

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, SharedTools.Dotnet, .. TestTools, .. SandboxTarget.PlatformTools];

    public static async Task RunAsync(BuildContext context)
    {
        var command = SharedTools.Dotnet.Command("test", Path.Combine(context.Root, "ConPaaS.sln"), "-c", "Release", "--nologo",
                "--logger", "console;verbosity=normal")
            .WithEnvironment("CPS_IMAGE", Path.Combine(context.Bin, "cps-image"))
            .WithEnvironment("CPS_BIN", context.Bin);
        await context.RunAsync(command);
    }
}
