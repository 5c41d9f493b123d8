using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Raw;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

/// <summary>Filesystems made by mke2fs, mkfs.vfat and mkswap, placed by us, read back by e2fsprogs, mtools and blkid.</summary>
public class DiskAssemblerTests
{
    private const long MiB = ByteSize.MiB;

    [Fact]
    public void PlacedFilesystemsAreReadableByTheirOwnToolsAtThePlannedOffsets()
    {
        using var temp = new TempDirectory();
        var fat = Filesystems.Fat32(temp, "boot.vfat", 40, new Dictionary<string, string> { ["config.txt"] = "arm_64bit=1\n" });
        var swap = Filesystems.Swap(temp, "swap.img", 8);
        var ext4 = Filesystems.Ext4(temp, "root.ext4", 32, new Dictionary<string, string> { ["etc/hostname"] = "nutshell\n" });
        var plan = LayoutPlanner.Plan(new LayoutSpec
        {
            Size = 128 * MiB,
            Partitions =
            [
                new PartitionSpec { Name = "boot", Kind = PartitionKind.Fat32, Image = fat, Bootable = true },
                new PartitionSpec { Name = "swap", Kind = PartitionKind.Swap, Image = swap },
                new PartitionSpec { Name = "root", Rest = true, Image = ext4 },
            ],
        });
        var disk = temp.File("disk.raw");
        DiskAssembler.Write(plan, disk);

        var (boot, swapPart, root) = (plan.Partitions[0], plan.Partitions[1], plan.Partitions[2]);
        Assert.Equal("arm_64bit=1\n", HostTool.Run("mtype", "-i", $"{disk}@@{boot.Offset}", "::/config.txt").Replace("\r", ""));
        Assert.Equal("nutshell\n", HostTool.Run("debugfs", "-R", "cat /etc/hostname", $"{disk}?offset={root.Offset}"));
        Assert.Contains("TYPE=\"swap\"", HostTool.Run("blkid", "-p", "-O", swapPart.Offset.ToString(), disk));
        HostTool.Run("e2fsck", "-fn", $"{disk}?offset={root.Offset}");

        var allocatedBytes = long.Parse(HostTool.Run("stat", "-c", "%b", disk).Trim()) * 512;
        Assert.True(allocatedBytes < plan.Size / 2, $"the disk should stay sparse, but {allocatedBytes} of {plan.Size} bytes are allocated");
    }

    [Fact]
    public void AFailedWriteLeavesNoFileBehind()
    {
        using var temp = new TempDirectory();
        var image = temp.File("fs.img");
        File.WriteAllBytes(image, new byte[MiB]);
        var plan = LayoutPlanner.Plan(new LayoutSpec { Partitions = [new PartitionSpec { Name = "root", Size = 4 * MiB, Image = image }] });
        File.WriteAllBytes(image, new byte[5 * MiB]); // the image grows after planning

        Assert.Throws<InvalidDataException>(() => DiskAssembler.Write(plan, temp.File("disk.raw")));
        Assert.Equal(["fs.img"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CancellationLeavesNoFileBehind()
    {
        using var temp = new TempDirectory();
        var image = temp.File("fs.img");
        File.WriteAllBytes(image, TestDisks.Pattern(8 * (int)MiB));
        var plan = LayoutPlanner.Plan(new LayoutSpec { Partitions = [new PartitionSpec { Name = "root", Image = image }] });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => DiskAssembler.Write(plan, temp.File("disk.raw"), cancellationToken: cancelled.Token));
        Assert.Equal(["fs.img"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }
}
