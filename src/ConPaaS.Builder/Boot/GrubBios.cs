using System.Buffers.Binary;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Builder.Boot;

/// <summary>
/// GRUB for BIOS machines, installed without a device: what grub-bios-setup does, done on the image file. The core
/// image (grub-mkimage) goes into the gap between the MBR and the first partition; boot.img goes into the MBR,
/// pointing at it; the modules and grub.cfg go into the root filesystem's /boot/grub.
/// </summary>
public static class GrubBios
{
    public const string ModuleDirectory = "/usr/lib/grub/i386-pc";
    private const int Sector = 512;
    private const int KernelSectorOffset = 0x5C, BootDriveOffset = 0x64, DriveCheckOffset = 0x66;
    private const int BlocklistSize = 12;
    private const ushort CoreLoadSegment = 0x820; // GRUB_BOOT_I386_PC_KERNEL_SEG + one sector
    private const long CoreFirstSector = 1;

    public static readonly HostTool GrubMkimage = new("grub-mkimage", "grub-pc-bin");

    public static IReadOnlyList<HostTool> Tools => [GrubMkimage];

    /// <summary>The host GRUB files whose version the image's boot code must match; a cache key input.</summary>
    public static IReadOnlyList<string> HostFiles => [Path.Combine(ModuleDirectory, "boot.img"), Path.Combine(ModuleDirectory, "kernel.img")];

    /// <summary>Copies the modules into the image and writes grub.cfg booting the image's kernel, on screen and serial.</summary>
    public static void InstallFiles(TargetTree tree, Guid rootUuid, string kernelCommandLine)
    {
        tree.CreateDirectory("/boot/grub/i386-pc");
        foreach (var file in Directory.GetFiles(ModuleDirectory).Where(f => f.EndsWith(".mod") || f.EndsWith(".lst")).Order(StringComparer.Ordinal))
            tree.CopyFile(file, $"/boot/grub/i386-pc/{Path.GetFileName(file)}");
        var commandLine = $"root=UUID={rootUuid} ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 {kernelCommandLine}".TrimEnd();
        tree.WriteText("/boot/grub/grub.cfg", $"""
            # Written by the ConPaaS image builder. /vmlinuz and /initrd.img follow kernel upgrades (see /etc/kernel-img.conf).
            serial --unit=0 --speed=115200
            terminal_input console serial
            terminal_output console serial
            set timeout=0
            set default=0
            insmod part_msdos
            insmod ext2
            search --no-floppy --fs-uuid --set=root {rootUuid}
            menuentry 'Debian GNU/Linux' {"{"}
                linux /vmlinuz {commandLine}
                initrd /initrd.img
            {"}"}

            """);
    }

    /// <summary>Builds the core image and returns the MBR boot code and the core image, both patched to find each other.</summary>
    public static async Task<(byte[] BootCode, byte[] CoreImage)> BuildBootSectorsAsync(BuildContext context, string workDirectory)
    {
        var core = Path.Combine(workDirectory, "core.img");
        await context.RunAsync(GrubMkimage.Command("-O", "i386-pc", "-d", ModuleDirectory, "-o", core,
            "-p", "(hd0,msdos1)/boot/grub", "biosdisk", "part_msdos", "ext2"));
        var boot = await File.ReadAllBytesAsync(Path.Combine(ModuleDirectory, "boot.img"));
        var coreBytes = await File.ReadAllBytesAsync(core);
        File.Delete(core);
        return Patch(boot, coreBytes);
    }

    /// <summary>
    /// Points boot.img at the core image's first sector and fills the core image's first block list with the
    /// sectors that follow it, as grub-bios-setup does for an embedded core image.
    /// </summary>
    internal static (byte[] BootCode, byte[] CoreImage) Patch(byte[] bootImage, byte[] coreImage)
    {
        if (bootImage.Length != Sector) throw new InvalidDataException($"boot.img is {bootImage.Length} bytes, expected {Sector}");
        var sectors = (coreImage.Length + Sector - 1) / Sector;
        if (sectors < 2) throw new InvalidDataException("core.img is too small to be a GRUB core image");
        var core = new byte[sectors * Sector];
        coreImage.CopyTo(core, 0);

        var boot = (byte[])bootImage.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(boot.AsSpan(KernelSectorOffset), CoreFirstSector);
        boot[BootDriveOffset] = 0xFF;              // use the drive the BIOS booted from
        boot[DriveCheckOffset] = 0x90;             // NOP out the floppy check, as for any hard disk
        boot[DriveCheckOffset + 1] = 0x90;

        var blocklist = core.AsSpan(Sector - BlocklistSize, BlocklistSize);
        BinaryPrimitives.WriteUInt64LittleEndian(blocklist, CoreFirstSector + 1);
        BinaryPrimitives.WriteUInt16LittleEndian(blocklist[8..], (ushort)(sectors - 1));
        BinaryPrimitives.WriteUInt16LittleEndian(blocklist[10..], CoreLoadSegment);
        return (boot[..440], core);
    }
}
