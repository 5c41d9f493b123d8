using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;

namespace ConPaaS.Imaging.Tests;

public class LayoutPlannerTests
{
    private const long MiB = ByteSize.MiB, GiB = ByteSize.GiB;
    private const long SdCardBound = 31998345216; // the seeds' 32 GB card

    private static PartitionSpec Part(string name, long? size = null, PartitionKind kind = PartitionKind.Linux, bool rest = false, long? start = null) =>
        new() { Name = name, Size = size, Kind = kind, Rest = rest, Start = start };

    [Fact]
    public void PlacesPartitionsOnFourMiBBoundaries()
    {
        var plan = LayoutPlanner.Plan(new LayoutSpec
        {
            Size = 2 * GiB,
            Partitions = [Part("boot", 256 * MiB, PartitionKind.Fat32), Part("swap", 100 * MiB + 512, PartitionKind.Swap), Part("root", rest: true)],
        });
        Assert.Equal([4 * MiB, 260 * MiB, 364 * MiB], plan.Partitions.Select(p => p.Offset));
        Assert.All(plan.Partitions, p => Assert.Equal(0, p.Offset % (4 * MiB)));
        Assert.Equal(2 * GiB, plan.Partitions[^1].End);
    }

    [Fact]
    public void SdCardLayoutFitsTheThirtyTwoGigabyteBound()
    {
        var plan = LayoutPlanner.Plan(new LayoutSpec
        {
            Size = SdCardBound, MaxSize = SdCardBound,
            Partitions = [Part("firmware", 256 * MiB, PartitionKind.Fat32), Part("swap", GiB, PartitionKind.Swap), Part("root", rest: true)],
        });
        Assert.True(plan.Partitions[^1].End <= SdCardBound);
        Assert.All(plan.Partitions, p => Assert.Equal(0, p.Offset % (4 * MiB)));
    }

    [Fact]
    public void AlignmentIsConfigurable()
    {
        var plan = LayoutPlanner.Plan(new LayoutSpec { Alignment = MiB, Partitions = [Part("a", 3 * MiB), Part("b", MiB)] });
        Assert.Equal([MiB, 4 * MiB], plan.Partitions.Select(p => p.Offset));
    }

    [Theory]
    [InlineData("overlap")]
    [InlineData("misaligned")]
    [InlineData("bound")]
    [InlineData("disk")]
    [InlineData("rest-not-last")]
    [InlineData("five-mbr")]
    [InlineData("bios-boot-on-mbr")]
    [InlineData("odd-alignment")]
    public void RejectsBadLayoutsWithAMessageSayingWhatAndWhere(string problem)
    {
        var (spec, expected) = problem switch
        {
            "overlap" => (new LayoutSpec { Partitions = [Part("a", 8 * MiB), Part("b", 8 * MiB, start: 8 * MiB)] }, "partition 2 'b': start 8388608 overlaps partition 1 'a'"),
            "misaligned" => (new LayoutSpec { Partitions = [Part("a", 8 * MiB, start: 5 * MiB)] }, "not aligned to 4 MiB"),
            "bound" => (new LayoutSpec { MaxSize = SdCardBound, Partitions = [Part("root", 30 * GiB)] }, "larger than the bound of 31998345216 bytes"),
            "disk" => (new LayoutSpec { Size = GiB, Partitions = [Part("root", 2 * GiB)] }, "beyond the disk's last usable byte"),
            "rest-not-last" => (new LayoutSpec { Size = GiB, Partitions = [Part("a", rest: true), Part("b", MiB)] }, "only the last partition may take 'the rest'"),
            "five-mbr" => (new LayoutSpec { Partitions = Enumerable.Range(1, 5).Select(i => Part($"p{i}", MiB)).ToList() }, "at most 4"),
            "bios-boot-on-mbr" => (new LayoutSpec { Partitions = [Part("grub", MiB, PartitionKind.BiosBoot)] }, "needs a GPT table"),
            _ => (new LayoutSpec { Alignment = 3000, Partitions = [Part("a", MiB)] }, "power of two"),
        };
        var error = Assert.Throws<InvalidDataException>(() => LayoutPlanner.Plan(spec with { Origin = "test.yaml" }));
        Assert.StartsWith("test.yaml: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void RejectsAnImageLargerThanItsPartition()
    {
        using var temp = new ConPaaS.Testing.TempDirectory();
        var image = temp.File("big.img");
        File.WriteAllBytes(image, new byte[2 * MiB]);
        var error = Assert.Throws<InvalidDataException>(() =>
            LayoutPlanner.Plan(new LayoutSpec { Partitions = [new PartitionSpec { Name = "root", Size = MiB, Image = image }] }));
        Assert.Contains($"image {image} is {2 * MiB} bytes, larger than the partition's {MiB}", error.Message);
    }

    [Fact]
    public void SizesAPartitionFromItsImageWhenNoSizeIsGiven()
    {
        using var temp = new ConPaaS.Testing.TempDirectory();
        var image = temp.File("fs.img");
        File.WriteAllBytes(image, new byte[5 * MiB]);
        var plan = LayoutPlanner.Plan(new LayoutSpec { Partitions = [new PartitionSpec { Name = "root", Image = image }] });
        Assert.Equal(8 * MiB, plan.Partitions[0].Size);
    }

    [Fact]
    public void SameSeedGivesSameIdentifiers()
    {
        var spec = new LayoutSpec { Table = PartitionTableKind.Gpt, Seed = "nutshell", Partitions = [Part("root", MiB)] };
        Assert.Equal(LayoutPlanner.Plan(spec).Partitions, LayoutPlanner.Plan(spec).Partitions);
        Assert.Equal(LayoutPlanner.Plan(spec).GptDiskGuid, LayoutPlanner.Plan(spec).GptDiskGuid);
        Assert.NotEqual(LayoutPlanner.Plan(spec).GptDiskGuid, LayoutPlanner.Plan(spec with { Seed = "other" }).GptDiskGuid);
    }
}
