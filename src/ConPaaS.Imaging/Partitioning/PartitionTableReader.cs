using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Partitioning;

public sealed record PartitionInfo(int Number, long Offset, long Size, string Type, string Name, bool Bootable);

/// <summary>A disk's partition table as read back: "none", "mbr" or "gpt", its identifier and its partitions.</summary>
public sealed record PartitionTableInfo(string Kind, string DiskId, IReadOnlyList<PartitionInfo> Partitions)
{
    public static readonly PartitionTableInfo None = new("none", "", []);
}

/// <summary>
/// Reads MBR and GPT tables defensively: every CRC, both GPT copies and every bound is checked, and anything
/// wrong is an <see cref="InvalidDataException"/> saying what and where.
/// </summary>
public static class PartitionTableReader
{
    private const int Sector = DiskPlan.SectorSize;

    public static PartitionTableInfo Read(DiskSource disk)
    {
        if (disk.Length < Sector) return PartitionTableInfo.None;
        var head = new byte[Math.Min(34 * Sector, disk.Length)];
        if (!disk.Read(0, head) || !MasterBootRecord.HasSignature(head)) return PartitionTableInfo.None;

        var mbr = MasterBootRecord.Read(head);
        var sectors = disk.Length / Sector;
        if (mbr.Entries.Any(e => e.Type == PartitionTypes.MbrProtective)) return ReadGpt(disk, head, sectors);

        var partitions = new List<PartitionInfo>();
        for (var i = 0; i < mbr.Entries.Count; i++)
        {
            var e = mbr.Entries[i];
            if (e.IsEmpty) continue;
            if (e.FirstSector == 0 || (long)e.FirstSector + e.SectorCount > sectors)
                throw new InvalidDataException($"MBR partition {i + 1}: sectors {e.FirstSector}+{e.SectorCount} lie outside the {sectors}-sector disk");
            partitions.Add(new PartitionInfo(i + 1, e.FirstSector * (long)Sector, e.SectorCount * (long)Sector,
                PartitionTypes.Describe(e.Type), "", e.Bootable));
        }
        return new PartitionTableInfo("mbr", $"0x{mbr.DiskId:x8}", partitions);
    }

    private static PartitionTableInfo ReadGpt(DiskSource disk, byte[] head, long sectors)
    {
        if (head.Length < 34 * Sector) throw new InvalidDataException("GPT: the disk is too small to hold a GPT");
        var primary = GptHeader.Read(head.AsSpan(Sector, Sector), "GPT primary header (LBA 1)");
        if (primary.CurrentLba != 1) throw new InvalidDataException($"GPT primary header (LBA 1): says it lives at LBA {primary.CurrentLba}");
        if (primary.BackupLba != (ulong)sectors - 1)
            throw new InvalidDataException($"GPT primary header (LBA 1): backup header at LBA {primary.BackupLba}, but the disk's last LBA is {sectors - 1} (truncated or resized disk?)");
        if (primary.LastUsableLba >= (ulong)sectors) throw new InvalidDataException($"GPT primary header: last usable LBA {primary.LastUsableLba} is beyond the disk");
        var entriesBytes = checked((int)(primary.EntryCount * primary.EntrySize));
        if (primary.EntriesLba != 2 || 2 * Sector + entriesBytes > head.Length)
            throw new InvalidDataException($"GPT primary header: entries at LBA {primary.EntriesLba} ({entriesBytes} bytes) are not where this reader expects them (LBA 2, at most 16 KiB)");
        var entries = head.AsSpan(2 * Sector, entriesBytes);
        CheckEntriesCrc(entries, primary.EntriesCrc, "GPT primary entries (LBA 2)");

        var tailSectors = (entriesBytes + Sector - 1) / Sector + 1;
        var tail = new byte[tailSectors * Sector];
        if (!disk.Read((sectors - tailSectors) * Sector, tail)) throw new InvalidDataException($"GPT backup header (LBA {sectors - 1}): the sector is empty (truncated disk?)");
        var backup = GptHeader.Read(tail.AsSpan(tail.Length - Sector), $"GPT backup header (LBA {sectors - 1})");
        if (backup.CurrentLba != (ulong)sectors - 1 || backup.BackupLba != 1 || backup.DiskGuid != primary.DiskGuid)
            throw new InvalidDataException($"GPT backup header (LBA {sectors - 1}): does not match the primary header");
        if (backup.EntriesLba != (ulong)(sectors - tailSectors)) throw new InvalidDataException($"GPT backup header: entries at LBA {backup.EntriesLba}, expected {sectors - tailSectors}");
        CheckEntriesCrc(tail.AsSpan(0, entriesBytes), backup.EntriesCrc, $"GPT backup entries (LBA {backup.EntriesLba})");

        var partitions = new List<PartitionInfo>();
        for (var i = 0; i < primary.EntryCount; i++)
        {
            var e = GptEntry.Read(entries.Slice(i * (int)primary.EntrySize, GptEntry.Size));
            if (e.IsEmpty) continue;
            if (e.FirstLba < primary.FirstUsableLba || e.LastLba > primary.LastUsableLba || e.LastLba < e.FirstLba)
                throw new InvalidDataException($"GPT partition {i + 1}: LBAs {e.FirstLba}-{e.LastLba} lie outside the usable {primary.FirstUsableLba}-{primary.LastUsableLba}");
            partitions.Add(new PartitionInfo(i + 1, (long)e.FirstLba * Sector, (long)(e.LastLba - e.FirstLba + 1) * Sector,
                PartitionTypes.Describe(e.Type), e.Name, (e.Attributes & GptEntry.LegacyBiosBootable) != 0));
        }
        return new PartitionTableInfo("gpt", primary.DiskGuid.ToString().ToUpperInvariant(), partitions);
    }

    private static void CheckEntriesCrc(ReadOnlySpan<byte> entries, uint stored, string where)
    {
        var computed = Crc32.Compute(entries);
        if (computed != stored) throw new InvalidDataException($"{where}: entry array CRC32 is 0x{stored:x8}, computed 0x{computed:x8} (corrupt)");
    }
}
