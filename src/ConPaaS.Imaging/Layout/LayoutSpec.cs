using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Layout;

/// <summary>A disk as a person describes it: a table type, partitions by size or "the rest", a few bounds.</summary>
public sealed record LayoutSpec
{
    public const long DefaultAlignment = 4 * ByteSize.MiB;

    public PartitionTableKind Table { get; init; } = PartitionTableKind.Mbr;

    /// <summary>The whole disk; null means "just large enough for the partitions".</summary>
    public long? Size { get; init; }

    public long Alignment { get; init; } = DefaultAlignment;

    /// <summary>An upper bound the disk must fit, e.g. a 32 GB SD card's 31998345216 bytes.</summary>
    public long? MaxSize { get; init; }

    /// <summary>Seed for the disk identifier and partition GUIDs, so the same layout gives the same bytes.</summary>
    public string Seed { get; init; } = "disk";

    public IReadOnlyList<PartitionSpec> Partitions { get; init; } = [];

    /// <summary>Where this layout came from, for error messages ("layout.yaml").</summary>
    public string Origin { get; init; } = "layout";
}

public sealed record PartitionSpec
{
    public required string Name { get; init; }

    public PartitionKind Kind { get; init; } = PartitionKind.Linux;

    /// <summary>Size in bytes; null with <see cref="Rest"/> false means "the size of the image, aligned".</summary>
    public long? Size { get; init; }

    /// <summary>Takes whatever the disk has left after the other partitions. Only the last partition may.</summary>
    public bool Rest { get; init; }

    /// <summary>An explicit start offset in bytes; null places the partition after the previous one, aligned.</summary>
    public long? Start { get; init; }

    /// <summary>A filesystem image (from mke2fs, mkfs.vfat, mkswap) to place at the partition's offset.</summary>
    public string? Image { get; init; }

    public bool Bootable { get; init; }
}
