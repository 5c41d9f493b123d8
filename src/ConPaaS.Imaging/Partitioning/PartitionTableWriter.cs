using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;

namespace ConPaaS.Imaging.Partitioning;

/// <summary>The bytes of a plan's partition table: the head of the disk and, for GPT, its backup at the tail.</summary>
public sealed record PartitionTableBytes(byte[] Head, byte[] Tail, long TailOffset);

public static class PartitionTableWriter
{
    private const int Sector = DiskPlan.SectorSize;
    private const int GptEntryCount = 128;
    private const int GptEntriesSectors = GptEntryCount * GptEntry.Size / Sector; // 32

    /// <param name="bootCode">Up to 440 bytes of boot code for the MBR (e.g. GRUB's boot.img), or empty.</param>
    public static PartitionTableBytes Build(DiskPlan plan, ReadOnlySpan<byte> bootCode = default)
    {
        if (bootCode.Length > MasterBootRecord.BootCodeSize)
            throw new ArgumentException($"MBR boot code is {bootCode.Length} bytes; at most {MasterBootRecord.BootCodeSize} fit");
        return plan.Table == PartitionTableKind.Mbr ? BuildMbr(plan, bootCode) : BuildGpt(plan, bootCode);
    }

    private static PartitionTableBytes BuildMbr(DiskPlan plan, ReadOnlySpan<byte> bootCode)
    {
        var head = new byte[Sector];
        bootCode.CopyTo(head);
        var entries = plan.Partitions
            .Select(p => new MbrEntry(p.Bootable, PartitionTypes.MbrType(p.Kind), checked((uint)p.FirstSector), checked((uint)p.SectorCount)))
            .ToList();
        new MasterBootRecord(plan.MbrDiskId, entries).Write(head);
        return new PartitionTableBytes(head, [], plan.Size);
    }

    private static PartitionTableBytes BuildGpt(DiskPlan plan, ReadOnlySpan<byte> bootCode)
    {
        var lastLba = (ulong)plan.Sectors - 1;
        var entries = new byte[GptEntryCount * GptEntry.Size];
        foreach (var p in plan.Partitions)
        {
            var attributes = p.Bootable ? GptEntry.LegacyBiosBootable : 0;
            new GptEntry(PartitionTypes.GptType(p.Kind), p.UniqueGuid, (ulong)p.FirstSector,
                (ulong)(p.FirstSector + p.SectorCount - 1), attributes, p.Name).Write(entries.AsSpan((p.Number - 1) * GptEntry.Size));
        }
        var entriesCrc = Crc32.Compute(entries);
        var primary = new GptHeader(1, lastLba, 2 + GptEntriesSectors, lastLba - 1 - GptEntriesSectors, plan.GptDiskGuid,
            2, GptEntryCount, GptEntry.Size, entriesCrc);
        var backup = primary with { CurrentLba = lastLba, BackupLba = 1, EntriesLba = lastLba - GptEntriesSectors };

        var head = new byte[(2 + GptEntriesSectors) * Sector];
        bootCode.CopyTo(head);
        var protective = new MbrEntry(false, PartitionTypes.MbrProtective, 1, (uint)Math.Min(lastLba, uint.MaxValue));
        new MasterBootRecord(0, [protective]).Write(head);
        primary.Write(head.AsSpan(Sector));
        entries.CopyTo(head, 2 * Sector);

        var tail = new byte[(GptEntriesSectors + 1) * Sector];
        entries.CopyTo(tail, 0);
        backup.Write(tail.AsSpan(GptEntriesSectors * Sector));
        return new PartitionTableBytes(head, tail, plan.Size - tail.Length);
    }
}
