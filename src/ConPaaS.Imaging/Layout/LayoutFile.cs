using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Layout;

/// <summary>
/// Reads a layout from YAML (the same shape a recipe's <c>disk:</c> section uses):
/// <code>
/// table: mbr            # or gpt
/// size: 8GiB            # optional: the whole disk
/// alignment: 4MiB       # optional, the default
/// max-size: 31998345216 # optional bound
/// partitions:
///   - { name: boot, type: fat32, size: 256MiB, image: boot.vfat, bootable: true }
///   - { name: root, type: linux, size: rest, image: root.ext4 }
/// </code>
/// Image paths are relative to the file.
/// </summary>
public static class LayoutFile
{
    public static LayoutSpec Load(string path) => FromYaml(YamlMap.Load(path), Path.GetDirectoryName(Path.GetFullPath(path))!);

    public static LayoutSpec FromYaml(YamlMap map, string baseDirectory)
    {
        map.RejectUnknownKeys("table", "size", "alignment", "max-size", "seed", "partitions");
        var partitions = map.Maps("partitions").Select(p => Partition(p, baseDirectory)).ToList();
        if (partitions.Count == 0) throw map.Error("partitions", "list at least one partition");
        return new LayoutSpec
        {
            Table = map.Enum<PartitionTableKind>("table") ?? PartitionTableKind.Mbr,
            Size = map.Size("size"),
            Alignment = map.Size("alignment") ?? LayoutSpec.DefaultAlignment,
            MaxSize = map.Size("max-size"),
            Seed = map.String("seed") ?? Path.GetFileNameWithoutExtension(map.File),
            Partitions = partitions,
            Origin = map.File,
        };
    }

    private static PartitionSpec Partition(YamlMap map, string baseDirectory)
    {
        map.RejectUnknownKeys("name", "type", "size", "start", "image", "bootable");
        var rest = map.String("size") == "rest";
        var image = map.String("image");
        return new PartitionSpec
        {
            Name = map.RequireString("name"),
            Kind = map.Enum<PartitionKind>("type") ?? PartitionKind.Linux,
            Size = rest ? null : map.Size("size"),
            Rest = rest,
            Start = map.Size("start"),
            Image = image is null ? null : Path.GetFullPath(image, baseDirectory),
            Bootable = map.Bool("bootable") ?? false,
        };
    }
}
