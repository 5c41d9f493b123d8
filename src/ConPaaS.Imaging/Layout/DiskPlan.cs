namespace ConPaaS.Imaging.Layout;

/// <summary>A validated layout: every partition has its final offset and size, every check has passed.</summary>
public sealed record DiskPlan(
    PartitionTableKind Table,
    long Size,
    long Alignment,
    uint MbrDiskId,
    Guid GptDiskGuid,
    IReadOnlyList<PlannedPartition> Partitions)
{
    public const int SectorSize = 512;

    public long Sectors => Size / SectorSize;
}

public sealed record PlannedPartition(
    int Number,
    string Name,
    PartitionKind Kind,
    long Offset,
    long Size,
    string? Image,
    bool Bootable,
    Guid UniqueGuid)
{
    public long End => Offset + Size;

    public long FirstSector => Offset / DiskPlan.SectorSize;

    public long SectorCount => Size / DiskPlan.SectorSize;
}
