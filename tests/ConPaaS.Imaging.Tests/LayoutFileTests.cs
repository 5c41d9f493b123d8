using ConPaaS.Imaging.Layout;

namespace ConPaaS.Imaging.Tests;

public class LayoutFileTests
{
    private static LayoutSpec Parse(string yaml) => LayoutFile.FromYaml(Common.YamlMap.Parse(yaml, "disk.yaml"), "/tmp");

    [Fact]
    public void ReadsSizesTypesAndRest()
    {
        var spec = Parse("table: gpt\nsize: 8GiB\nalignment: 1MiB\nmax-size: 31998345216\npartitions:\n  - { name: esp, type: esp, size: 100M }\n  - { name: root, size: rest, image: root.ext4 }\n");
        Assert.Equal(PartitionTableKind.Gpt, spec.Table);
        Assert.Equal(8L << 30, spec.Size);
        Assert.Equal(1L << 20, spec.Alignment);
        Assert.Equal(31998345216, spec.MaxSize);
        Assert.Equal(PartitionKind.Esp, spec.Partitions[0].Kind);
        Assert.True(spec.Partitions[1].Rest);
        Assert.Equal("/tmp/root.ext4", spec.Partitions[1].Image);
    }

    [Theory]
    [InlineData("partitions:\n  - { name: a, size: 12XB }\n", "disk.yaml:2: size: '12XB' is not a size")]
    [InlineData("partitions:\n  - { name: a, type: ntfs, size: 1M }\n", "disk.yaml:2: type: 'ntfs' is not one of: linux, fat32, swap, bios-boot, esp")]
    [InlineData("table: mbr\nsizee: 1G\npartitions:\n  - { name: a, size: 1M }\n", "disk.yaml:2: unknown key 'sizee'")]
    [InlineData("table: mbr\npartitions: []\n", "disk.yaml:2: partitions: list at least one partition")]
    [InlineData("partitions:\n  - { size: 1M }\n", "disk.yaml:2: name: is required")]
    [InlineData("partitions: [\n", "disk.yaml:2: not valid YAML")]
    public void ErrorsNameTheFileLineAndKey(string yaml, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse(yaml));
        Assert.StartsWith(expected, error.Message);
    }
}
