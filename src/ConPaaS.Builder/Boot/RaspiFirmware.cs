using ConPaaS.Builder.Recipes;
using ConPaaS.Builder.Stages;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;

namespace ConPaaS.Builder.Boot;

/// <summary>
/// The Raspberry Pi's own boot path: its GPU firmware reads a FAT partition of an MBR card (bootcode.bin, start*.elf,
/// config.txt), loads the kernel, initrd and device tree named there and starts the kernel with cmdline.txt. Debian's
/// raspi-firmware package fills /boot/firmware with all of these from its kernel hooks, which run while mmdebstrap
/// installs the kernel; the build only tells those hooks where the root is (<see cref="MmdebstrapOptions"/>), checks what
/// they wrote, and packs that directory into the FAT partition with mkfs.vfat and mtools, no mount involved.
/// </summary>
public static class RaspiFirmware
{
    /// <summary>The recipe's FAT32 partition that the firmware boots from.</summary>
    public const string PartitionName = "firmware";

    public const string Directory = "/boot/firmware";

    public const string Package = "raspi-firmware";

    public const string Image = "firmware.vfat";

    /// <summary>The FAT volume's label, as Debian's own Raspberry Pi images name it; /etc/fstab mounts it by its id.</summary>
    private const string Label = "RASPIFIRM";

    public static readonly HostTool MkfsVfat = new("mkfs.vfat", "dosfstools"), Mcopy = new("mcopy", "mtools");

    public static IReadOnlyList<HostTool> Tools => [MkfsVfat, Mcopy];

    /// <summary>What the recipe must hold for this boot path; null when it does.</summary>
    public static string? Problem(Recipe recipe)
    {
        if (recipe.Disk is not { Table: PartitionTableKind.Mbr } disk) return "the Raspberry Pi's firmware reads an MBR card; use table: mbr";
        if (!disk.Partitions.Any(p => p.Name == PartitionName && p.Kind == PartitionKind.Fat32))
            return $"the layout needs a fat32 partition named '{PartitionName}' for the firmware, the kernel and the device trees";
        if (!recipe.Packages.Contains(Package)) return $"add {Package} (from the non-free-firmware component): its hooks fill {Directory}";
        if (!recipe.Components.Contains("non-free-firmware")) return $"{Package} is in the non-free-firmware component; add it to components";
        return null;
    }

    /// <summary>
    /// mmdebstrap options for a Pi image, before any package is installed: the raspi-firmware hooks read the root's
    /// location and the consoles from /etc/default/raspi-firmware when they write cmdline.txt. The package ships that
    /// file as a conffile, so dpkg is told to keep the one already there (ours) instead of asking. The serial console
    /// is the mini UART on the GPIO header, ttyS1 (QEMU's second serial port); the PL011 (ttyAMA0) belongs to the Pi 3
    /// and 4's Bluetooth chip, whose driver takes it (no login prompt appeared there under -M raspi3b). The last
    /// console is the one the boot messages and the emergency shell use.
    /// </summary>
    public static IReadOnlyList<string> MmdebstrapOptions(Recipe recipe)
    {
        if (recipe.Boot != BootLoader.RaspiFirmware) return [];
        var settings = $"ROOTPART=UUID={CustomizeStage.RootUuid(recipe)}\nCONSOLES=\"tty0 ttyS1,115200\"\n";
        return
        [
            "--dpkgopt=force-confold",
            "--setup-hook=mkdir -p \"$1\"/etc/default",
            $"--setup-hook=printf '{settings}' > \"$1\"/etc/default/raspi-firmware",
        ];
    }

    /// <summary>Checks the hooks filled /boot/firmware.</summary>
    public static void CheckTree(Recipe recipe, TargetTree tree)
    {
        string[] needed = ["config.txt", "cmdline.txt", "bootcode.bin", "start.elf", "vmlinuz-*", "initrd.img-*", "bcm2837-rpi-3-b.dtb"];
        var missing = needed.Where(pattern => !tree.List(Directory, pattern).Any()).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{recipe.File}: {Directory} in the image lacks {string.Join(", ", missing)}: {Package}'s hooks did not run as expected (is linux-image-{recipe.Architecture} in packages?)");
    }

    /// <summary>The firmware partition's /etc/fstab line: mounted by its volume id, so kernel upgrades reach it.</summary>
    public static string FstabLine(Recipe recipe) => $"UUID={VolumeId(recipe).Insert(4, "-")}\t{Directory}\tvfat\trw,noatime,nofail\t0\t2\n";

    /// <summary>The FAT volume id (8 hex digits), fixed by the recipe's name like every other identifier.</summary>
    private static string VolumeId(Recipe recipe) => DeterministicId.DiskSignature($"{recipe.Name}/firmware").ToString("X8");

    /// <summary>
    /// Packs the tree's /boot/firmware into a FAT32 image the size of the firmware partition, then empties the
    /// directory in the tree: in the booted system it is the partition's mount point.
    /// </summary>
    public static async Task MakePartitionAsync(BuildContext context, Recipe recipe, TargetTree tree, string output, long epoch)
    {
        var size = recipe.Layout!.Plan.Partitions.First(p => p.Name == PartitionName).Size;
        var source = tree.HostPath(Directory);
        // Reproducible bytes: --invariant fixes what mkfs.vfat takes from the clock (the volume label's time); mcopy
        // keeps each file's clamped time (-m) and stamps the rest with SOURCE_DATE_EPOCH. Two builds compared equal.
        await context.RunAsync(MkfsVfat.Command("--invariant", "-F", "32", "-n", Label, "-i", VolumeId(recipe), "-C", output, (size / 1024).ToString()));
        // mcopy writes into the image file itself; -s recurses, -Q stops at the first error.
        var entries = System.IO.Directory.GetFileSystemEntries(source).Order(StringComparer.Ordinal).ToArray();
        await context.RunAsync(Mcopy.Command(["-i", output, "-s", "-p", "-m", "-Q", .. entries, "::/"])
            .WithEnvironment("MTOOLS_SKIP_CHECK", "1")
            .WithEnvironment("SOURCE_DATE_EPOCH", epoch.ToString()));
        foreach (var entry in entries) tree.Delete($"{Directory}/{Path.GetFileName(entry)}");
        System.IO.Directory.SetLastWriteTimeUtc(source, DateTime.UnixEpoch.AddSeconds(epoch));
    }
}
