using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Partitioning;
using ConPaaS.Imaging.Vmdk;

namespace ConPaaS.Imaging.Formats;

public sealed record PartitionReport(PartitionInfo Partition, bool Aligned);

/// <summary>What <c>cps-image inspect</c> prints: format, sizes, partition table and each partition's alignment.</summary>
public sealed record InspectionReport(
    string Path,
    string Format,
    string? Subformat,
    long VirtualSize,
    long FileSize,
    long Alignment,
    string Table,
    string DiskId,
    IReadOnlyList<PartitionReport> Partitions);

public static class ImageInspector
{
    public static InspectionReport Inspect(string path, long alignment = LayoutSpec.DefaultAlignment)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        var format = ImageFormats.Detect(path);
        using var disk = ImageFormats.Open(path, format);
        var subformat = (disk as VmdkReader)?.CreateType;
        var table = PartitionTableReader.Read(disk);
        var partitions = table.Partitions.Select(p => new PartitionReport(p, p.Offset % alignment == 0)).ToList();
        return new InspectionReport(path, format.ToString().ToLowerInvariant(), subformat, disk.Length, new FileInfo(path).Length,
            alignment, table.Kind, table.DiskId, partitions);
    }
}
