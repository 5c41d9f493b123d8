using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Ova;

namespace ConPaaS.Builder.Recipes;

public enum OutputFormat
{
    Ova,
    Vdi,
    Qcow2,
    Raw,
    Vmdk,
    RootfsTar, // a container's root filesystem as rootfs.tar.xz (LXC)
    ImgXz,     // the raw disk compressed with xz, plus its block map (.img.bmap) for bmaptool: an SD card image
}

public enum BootLoader
{
    None,
    GrubBios,
    RaspiFirmware, // the Raspberry Pi's GPU firmware on a FAT partition, filled by Debian's raspi-firmware
}

/// <summary>A user account in the image. The recipe gives the password in clear (the Nutshell's documented
/// stack/contrail); only its SHA-512 crypt hash is written into the image's /etc/shadow.</summary>
public sealed record UserSpec(string Name, string? Password, bool Sudo, string Shell, IReadOnlyList<string> SshKeys);

/// <summary>One network interface: DHCP, or a static address with an optional gateway and DNS servers.</summary>
public sealed record InterfaceSpec(string Interface, bool Dhcp, string? Address, string? Gateway, IReadOnlyList<string> Dns);

/// <summary>A file or a directory the build made (from out/), copied into the image. A directory is copied with its
/// modes and links, over what is at <paramref name="Target"/>; <paramref name="Mode"/> is for a file only (0644 if not
/// given). With <paramref name="Unpack"/>, the file is a tar archive (a root filesystem tarball) unpacked into the
/// directory <paramref name="Target"/>, owners and modes as they are in it.</summary>
public sealed record PayloadSpec(string Source, string Target, string? Mode, bool Unpack = false)
{
    /// <summary>The host files the payload's bytes come from, for the stage's cache key.</summary>
    public IEnumerable<string> Files => Directory.Exists(Source) ? Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories) : [Source];
}

/// <summary>
/// A declarative description of an image, read from YAML by <see cref="RecipeFile"/>: what Debian to bootstrap,
/// how to customize it, how to lay out its disk, and what to output.
/// </summary>
public sealed record Recipe
{
    public required string Name { get; init; }

    /// <summary>The recipe file, for messages and as the base of relative paths.</summary>
    public required string File { get; init; }

    public string Directory => Path.GetDirectoryName(File)!;

    public string Suite { get; init; } = "bookworm";

    public string Architecture { get; init; } = "amd64";

    public string Mirror { get; init; } = "http://deb.debian.org/debian";

    public IReadOnlyList<string> Components { get; init; } = ["main"];

    public string Variant { get; init; } = "minbase";

    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>
    /// Packages taken from the suite's backports (bookworm-backports) instead of the suite itself, with what they
    /// need from there; every other package stays the suite's own (backports are pinned below it).
    /// </summary>
    public IReadOnlyList<string> Backports { get; init; } = [];

    /// <summary>Architectures other than the root's that packages name (libc6:amd64), in order, once each.</summary>
    public IReadOnlyList<string> ExtraArchitectures =>
        Packages.Select(p => p.Split(':')).Where(p => p.Length == 2 && p[1] != Architecture).Select(p => p[1]).Distinct().ToList();

    /// <summary>
    /// When set, the initramfs holds only these kernel modules (and what they need) instead of Debian's "most":
    /// a far smaller initrd that the BIOS loads and the kernel unpacks in a fraction of the time.
    /// </summary>
    public IReadOnlyList<string> InitramfsModules { get; init; } = [];

    /// <summary>The seeds' container flag: an LXC root filesystem without kernel, boot loader or disk.</summary>
    public bool Container { get; init; }

    public string? Hostname { get; init; }

    public IReadOnlyList<UserSpec> Users { get; init; } = [];

    public IReadOnlyList<InterfaceSpec> Network { get; init; } = [];

    public IReadOnlyList<string> Overlays { get; init; } = [];

    public IReadOnlyList<string> Units { get; init; } = [];

    public IReadOnlyList<string> Hooks { get; init; } = [];

    public IReadOnlyList<PayloadSpec> Payloads { get; init; } = [];

    public LayoutSpec? Disk { get; init; }

    /// <summary><see cref="Disk"/> as planned when the recipe was loaded; null for a container.</summary>
    public DiskLayout? Layout { get; init; }

    public BootLoader Boot { get; init; } = BootLoader.None;

    public string KernelCommandLine { get; init; } = "";

    public IReadOnlyList<OutputFormat> Outputs { get; init; } = [];

    public VmHardware? Hardware { get; init; }
}

/// <summary>
/// A recipe's disk, planned once when the recipe is loaded (sizes, offsets, identifiers seeded by the recipe's name),
/// and the partition that holds the root filesystem, which every stage refers to through <see cref="Root"/>.
/// </summary>
public sealed record DiskLayout(DiskPlan Plan, PlannedPartition Root)
{
    /// <summary>The name the recipe gives the root filesystem's partition.</summary>
    public const string RootName = "root";

    public static DiskLayout Of(LayoutSpec disk, string recipeName)
    {
        var plan = LayoutPlanner.Plan(disk with { Seed = recipeName });
        return new DiskLayout(plan, plan.Partitions.First(p => p.Name == RootName && p.Kind == PartitionKind.Linux));
    }

    /// <summary>The plan with each partition's contents: <paramref name="imageOf"/> gives a file to place, or null.</summary>
    public DiskPlan WithImages(Func<PlannedPartition, string?> imageOf) =>
        Plan with { Partitions = Plan.Partitions.Select(p => p with { Image = imageOf(p) }).ToList() };
}
