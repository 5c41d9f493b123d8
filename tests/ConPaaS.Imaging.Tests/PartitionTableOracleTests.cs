using ConPaaS.Processes;
using System.Text.Json;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Partitioning;
using ConPaaS.Imaging.Raw;
using ConPaaS.Imaging.Sources;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

/// <summary>Our tables read by sfdisk and sgdisk, and tables made by sfdisk read by us.</summary>
public class PartitionTableOracleTests
{
    private const long MiB = ByteSize.MiB;

    private static DiskPlan Plan(PartitionTableKind table, long size = 64 * MiB) => LayoutPlanner.Plan(new LayoutSpec
    {
        Table = table,
        Size = size,
        Seed = "oracle",
        Partitions =
        [
            new PartitionSpec { Name = "boot", Size = 16 * MiB, Kind = PartitionKind.Fat32, Bootable = true },
            new PartitionSpec { Name = "swap", Size = 8 * MiB, Kind = PartitionKind.Swap },
            new PartitionSpec { Name = "root", Rest = true },
        ],
    });

    private static JsonElement Sfdisk(string disk) =>
        JsonDocument.Parse(HostTool.Run("sfdisk", "--json", disk)).RootElement.GetProperty("partitiontable");

    [Fact]
    public void SfdiskReadsOurMbrWithThePlannedOffsets()
    {
        using var temp = new TempDirectory();
        var plan = Plan(PartitionTableKind.Mbr);
        DiskAssembler.Write(plan, temp.File("disk.raw"));

        var table = Sfdisk(temp.File("disk.raw"));
        Assert.Equal("dos", table.GetProperty("label").GetString());
        Assert.Equal($"0x{plan.MbrDiskId:x8}", table.GetProperty("id").GetString());
        var parts = table.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(plan.Partitions.Select(p => p.FirstSector), parts.Select(p => p.GetProperty("start").GetInt64()));
        Assert.Equal(plan.Partitions.Select(p => p.SectorCount), parts.Select(p => p.GetProperty("size").GetInt64()));
        Assert.Equal(["c", "82", "83"], parts.Select(p => p.GetProperty("type").GetString()));
        Assert.True(parts[0].GetProperty("bootable").GetBoolean());
    }

    [Fact]
    public void SgdiskFindsNoProblemsInOurGptAndSfdiskSeesThePlan()
    {
        using var temp = new TempDirectory();
        var plan = Plan(PartitionTableKind.Gpt);
        DiskAssembler.Write(plan, temp.File("disk.raw"));

        var verify = HostTool.Run("sgdisk", "-v", temp.File("disk.raw"));
        Assert.Contains("No problems found", verify);

        var table = Sfdisk(temp.File("disk.raw"));
        Assert.Equal("gpt", table.GetProperty("label").GetString());
        Assert.Equal(plan.GptDiskGuid.ToString().ToUpperInvariant(), table.GetProperty("id").GetString());
        var parts = table.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(plan.Partitions.Select(p => p.FirstSector), parts.Select(p => p.GetProperty("start").GetInt64()));
        Assert.Equal(plan.Partitions.Select(p => p.SectorCount), parts.Select(p => p.GetProperty("size").GetInt64()));
        Assert.Equal(["EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "0FC63DAF-8483-4772-8E79-3D69D8477DE4"],
            parts.Select(p => p.GetProperty("type").GetString()));
        Assert.Equal(["boot", "swap", "root"], parts.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(plan.Partitions.Select(p => p.UniqueGuid.ToString().ToUpperInvariant()), parts.Select(p => p.GetProperty("uuid").GetString()));
    }

    [Theory]
    [InlineData("dos", "label: dos\nlabel-id: 0x12345678\nstart=2048, size=4096, type=c, bootable\nstart=8192, size=20480, type=83\n")]
    [InlineData("gpt", "label: gpt\nstart=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp\nstart=8192, size=20480, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n")]
    public async Task WeReadTablesThatSfdiskWrote(string label, string script)
    {
        using var temp = new TempDirectory();
        var disk = temp.File("disk.raw");
        using (var file = File.Create(disk)) file.SetLength(32 * MiB);
        var sfdisk = new Command("sfdisk", "--no-reread", "--no-tell-kernel", disk) { StandardInput = System.Text.Encoding.ASCII.GetBytes(script) };
        await sfdisk.RunAsync(CancellationToken.None);

        using var source = new RawFileSource(disk);
        var table = PartitionTableReader.Read(source);
        Assert.Equal(label == "dos" ? "mbr" : "gpt", table.Kind);
        Assert.Equal([2048L * 512, 8192L * 512], table.Partitions.Select(p => p.Offset));
        Assert.Equal([4096L * 512, 20480L * 512], table.Partitions.Select(p => p.Size));
        if (label == "dos")
        {
            Assert.Equal("0x12345678", table.DiskId);
            Assert.True(table.Partitions[0].Bootable);
        }
        else
        {
            Assert.Equal(["esp", "root"], table.Partitions.Select(p => p.Name));
        }
    }

    [Theory]
    [InlineData(512 + 60, "GPT primary header (LBA 1): header CRC32")]
    [InlineData(1024 + 40, "GPT primary entries (LBA 2): entry array CRC32")]
    public void CorruptGptIsRejectedSayingWhere(int byteToFlip, string expected)
    {
        using var temp = new TempDirectory();
        var disk = temp.File("disk.raw");
        DiskAssembler.Write(Plan(PartitionTableKind.Gpt), disk);
        using (var file = File.OpenWrite(disk))
        {
            file.Position = byteToFlip;
            file.WriteByte(0x5A);
        }
        using var source = new RawFileSource(disk);
        var error = Assert.Throws<InvalidDataException>(() => PartitionTableReader.Read(source));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TruncatedGptDiskIsRejected()
    {
        using var temp = new TempDirectory();
        var disk = temp.File("disk.raw");
        DiskAssembler.Write(Plan(PartitionTableKind.Gpt), disk);
        using (var file = File.OpenWrite(disk)) file.SetLength(32 * MiB);
        using var source = new RawFileSource(disk);
        var error = Assert.Throws<InvalidDataException>(() => PartitionTableReader.Read(source));
        Assert.Contains("backup header at LBA", error.Message);
    }
}
