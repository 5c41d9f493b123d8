using System.Diagnostics;
using System.Text.Json;
using ConPaaS.Builder;
using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The Raspberry Pi SD card image as a user meets it: written with bmaptool onto a card of the seeds' smallest 32 GB
/// size, its layout read by sfdisk and by cps-image, then booted under <c>qemu-system-aarch64 -M raspi3b</c> (a Pi 3
/// Model B, TCG) with the kernel, initrd, device tree and command line taken from the card's own firmware partition,
/// as the Pi's firmware takes them. On the serial console: the login prompt, a login as pi, the root partition and
/// filesystem grown to the card's end by the first boot, the firmware partition mounted and the swap in use, and a
/// clean power-off, after which sfdisk reads the grown table from the card file.
/// </summary>
internal static class RpiTestTarget
{
    public const string Image = "ConPaaS-RPi.img.xz", BlockMap = "ConPaaS-RPi.img.bmap";

    /// <summary>The seeds' bound: the image fits every 32 GB card at least this large.</summary>
    public const long SmallestCard = 31_998_345_216;

    /// <summary>QEMU's SD card model takes only power-of-two sizes: a "32 GB" card of 32 GiB for the boot.</summary>
    private const long EmulatedCard = 32L << 30;

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, EmulatedPi.QemuSystemAarch64, SharedTools.Sfdisk, ImageStage.Bmaptool, RaspiFirmware.Mcopy, CustomizeStage.Xz];

    private static readonly TimeSpan LoginTimeout = TimeSpan.FromMinutes(6), CommandTimeout = TimeSpan.FromMinutes(3);

    public static async Task RunAsync(BuildContext context)
    {
        var work = context.WorkDirectory("rpitest");
        try
        {
            var card = Path.Combine(work, "card.img");
            await WriteCardAsync(context, card);
            var table = await CheckLayoutAsync(context, card);
            await BootAsync(context, work, card, table);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>bmaptool copy onto a card file of the smallest size, as a user writes a card.</summary>
    internal static async Task WriteCardAsync(BuildContext context, string card)
    {
        var image = Path.Combine(context.Images, Image);
        if (!File.Exists(image)) throw new BuildException($"{image} does not exist; build it with ./build.sh --target RpiImage");
        var clock = Stopwatch.StartNew();
        await context.RunAsync(ImageStage.Bmaptool.Command("copy", "--bmap", Path.Combine(context.Images, BlockMap), image, card));
        BuildContext.Log($"RPI bmaptool copy onto a {SmallestCard}-byte card: {clock.Elapsed.TotalSeconds:0.0} s");
        // Onto a regular file, bmaptool truncates the file to the image's size (a device keeps its size): give the
        // card file its size back, as the card it stands for has.
        if (new FileInfo(card).Length > SmallestCard) throw new BuildException($"the image is {new FileInfo(card).Length} bytes, more than a {SmallestCard}-byte card");
        using (var file = File.OpenWrite(card)) file.SetLength(SmallestCard);
    }

    internal sealed record Partition(int Number, long Start, long Size, string Type);

    /// <summary>sfdisk's reading of the card: MBR, firmware (0x0c) / swap / root, every start on 4 MiB, all inside
    /// the card; and cps-image inspect, our own reader, agreeing with it partition by partition.</summary>
    private static async Task<IReadOnlyList<Partition>> CheckLayoutAsync(BuildContext context, string card)
    {
        var partitions = await ReadTableAsync(context, card);
        var types = string.Join(' ', partitions.Select(p => p.Type));
        if (types != "c 82 83") throw new BuildException($"sfdisk reads partition types '{types}', expected 'c 82 83' (FAT32 LBA, swap, Linux)");
        foreach (var p in partitions)
            if (p.Start % (4 << 20) != 0 || p.Start + p.Size > SmallestCard)
                throw new BuildException($"partition {p.Number} (start {p.Start}, size {p.Size}) is not on a 4 MiB boundary or passes the card's end");

        var inspect = await context.RunAsync(ToolsTarget.Published(context, "cps-image", "inspect", "--json", card), echoOutput: false);
        var ours = JsonDocument.Parse(inspect.StandardOutput).RootElement.GetProperty("partitions").EnumerateArray()
            .Select(p => (p.GetProperty("partition").GetProperty("offset").GetInt64(), p.GetProperty("partition").GetProperty("size").GetInt64(), p.GetProperty("aligned").GetBoolean()))
            .ToList();
        if (!ours.SequenceEqual(partitions.Select(p => (p.Start, p.Size, true))))
            throw new BuildException($"cps-image inspect and sfdisk disagree:\n  cps-image: {string.Join(", ", ours)}\n  sfdisk:    {string.Join(", ", partitions)}");
        BuildContext.Log("RPI layout (sfdisk = cps-image): " + string.Join(", ", partitions.Select(p => $"{p.Number}: type {p.Type} at {p.Start / 1048576} MiB, {p.Size / 1048576} MiB")));
        return partitions;
    }

    internal static async Task<IReadOnlyList<Partition>> ReadTableAsync(BuildContext context, string card)
    {
        var json = await context.RunAsync(SharedTools.Sfdisk.Command("--json", card), echoOutput: false);
        var table = JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("partitiontable");
        if (table.GetProperty("label").GetString() != "dos") throw new BuildException($"sfdisk reads a '{table.GetProperty("label")}' table, expected an MBR (dos)");
        return table.GetProperty("partitions").EnumerateArray().Select((p, i) => new Partition(i + 1,
            p.GetProperty("start").GetInt64() * 512, p.GetProperty("size").GetInt64() * 512, p.GetProperty("type").GetString()!)).ToList();
    }

    private static async Task BootAsync(BuildContext context, string work, string card, IReadOnlyList<Partition> table)
    {
        // The emulated SD card must be a power of two in size: the same card, grown to 32 GiB.
        using (var file = File.OpenWrite(card)) file.SetLength(EmulatedCard);
        var boot = await FirmwareFilesAsync(context, work, card, table[0].Start);
        await using (var pi = await EmulatedPi.StartRaspi3bAsync(context, work, card, boot))
        {
            var toLogin = await pi.LogInAsync(LoginTimeout);
            BuildContext.Log($"RPI power-on to login prompt under -M raspi3b (TCG): {toLogin.TotalSeconds:0.0} s");
            // The first boot grows the root once; wait for its mark, then read the sizes the kernel sees, the firmware
            // partition's mount and the swap in use (/etc/fstab's lines for them).
            var answer = await pi.RunAsync("until [ -e /var/lib/conpaas/root-grown ]; do sleep 1; done; echo $(cat /sys/block/mmcblk0/size " +
                "/sys/block/mmcblk0/mmcblk0p3/start /sys/block/mmcblk0/mmcblk0p3/size) $(findmnt -bno SIZE /) $(findmnt -no FSTYPE /boot/firmware || echo none) " +
                "$(tail -n +2 /proc/swaps | cut -d ' ' -f 1)", CommandTimeout);
            var words = answer.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var sizes = words.Take(4).Select(word => long.TryParse(word, out var n) ? n : -1).ToArray();
            if (words.Length < 5 || sizes.Any(n => n < 0)) throw new BuildException($"the Pi answered '{answer}', not four sizes, the firmware partition's type and the swap");
            if (words[4] != "vfat") throw new BuildException($"/etc/fstab did not take effect: /boot/firmware is mounted as '{words[4]}', not vfat");
            CheckGrown(sizes);
            // (/proc/swaps, not swapon: pi's PATH has no /sbin, which once made a swap in use look absent.)
            if (words.Length != 6 || words[5] != "/dev/mmcblk0p2") throw new BuildException($"/etc/fstab's swap is not in use: /proc/swaps lists '{string.Join(' ', words.Skip(5))}', not /dev/mmcblk0p2");
            BuildContext.Log($"RPI root grown at first boot, {pi.Uptime.TotalSeconds:0.0} s after power-on: filesystem {sizes[3] / (1L << 30)} GiB on a {EmulatedCard >> 30} GiB card; /boot/firmware mounted (vfat), swap in use (/dev/mmcblk0p2)");
            await CheckX86EmulationAsync(pi);
            await pi.PowerOffAsync();
        }
        var grown = await ReadTableAsync(context, card);
        if (grown[2].Start + grown[2].Size < EmulatedCard - (4 << 20))
            throw new BuildException($"after the first boot sfdisk reads the root partition ending at {grown[2].Start + grown[2].Size}, not at the card's end ({EmulatedCard})");
        BuildContext.Log($"RPI sfdisk after power-off: root partition {grown[2].Size / 1048576} MiB, ending {EmulatedCard - grown[2].Start - grown[2].Size} bytes before the card's end");
    }

    /// <summary>
    /// The containers' x86-64 node programs need qemu-user's x86-64 emulator registered at boot with flag F (the kernel
    /// opens it then, so containers need no copy), from bookworm-backports (bookworm's 7.2 killed cpsmanager: README,
    /// "Raspberry Pi"), and no other emulator's registration (the image keeps x86-64's emulator alone).
    /// </summary>
    private static async Task CheckX86EmulationAsync(EmulatedPi pi)
    {
        var answer = await pi.RunAsync("cd /proc/sys/fs/binfmt_misc && echo $(systemctl is-active systemd-binfmt) $(ls | grep -c '^qemu-') " +
            "$(sed -n 's/^flags: //p' qemu-x86_64) $(head -n 1 qemu-x86_64) $(/usr/bin/qemu-x86_64 --version | head -n 1)", CommandTimeout);
        var words = answer.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var version = words.Length >= 7 && words[4] == "qemu-x86_64" && words[5] == "version" && Version.TryParse(words[6], out var v) ? v : null;
        if (words.Length < 7 || words[0] != "active" || words[1] != "1" || !words[2].Contains('F') || words[3] != "enabled" || version is null || version.Major < 10)
            throw new BuildException($"the Pi's x86-64 emulation is not as its containers need (systemd-binfmt active, qemu-x86_64 alone registered, flag F, enabled, qemu 10 or later): it answered '{answer}'");
        BuildContext.Log($"RPI x86-64 emulation: qemu-x86_64 {version} registered at boot with flags {words[2]}, the only emulator");
    }

    /// <summary>sizes: the disk's and the root partition's start and size in sectors, the mounted filesystem's bytes.</summary>
    private static void CheckGrown(long[] sizes)
    {
        var (disk, start, size, filesystem) = (sizes[0] * 512, sizes[1] * 512, sizes[2] * 512, sizes[3]);
        if (start + size < disk - (4 << 20)) throw new BuildException($"the root partition ends at {start + size}, not at the card's end ({disk})");
        if (filesystem < size * 95 / 100) throw new BuildException($"the root filesystem is {filesystem} bytes on a {size}-byte partition: it did not grow");
    }

    internal sealed record BootFiles(string Kernel, string Initrd, string DeviceTree, string CommandLine);

    /// <summary>
    /// What the Pi's firmware would load, read out of the card's FAT partition with mtools: config.txt names the kernel
    /// and the initrd, cmdline.txt is the kernel's command line, and the Pi 3 Model B's device tree sits beside them.
    /// </summary>
    internal static async Task<BootFiles> FirmwareFilesAsync(BuildContext context, string work, string card, long firmwareOffset)
    {
        var partition = $"{card}@@{firmwareOffset}";
        async Task<string> Take(string name)
        {
            var target = Path.Combine(work, name);
            await context.RunAsync(RaspiFirmware.Mcopy.Command("-i", partition, $"::{name}", target).WithEnvironment("MTOOLS_SKIP_CHECK", "1"));
            return target;
        }
        var config = File.ReadAllLines(await Take("config.txt")).Select(l => l.Trim()).ToList();
        string Setting(string prefix) => config.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim()
            ?? throw new BuildException($"config.txt on the card sets no '{prefix.Trim()}'");
        var commandLine = File.ReadAllText(await Take("cmdline.txt")).Trim();
        return new BootFiles(await Take(Setting("kernel=")), await Take(Setting("initramfs ")), await Take("bcm2837-rpi-3-b.dtb"), commandLine);
    }
}
