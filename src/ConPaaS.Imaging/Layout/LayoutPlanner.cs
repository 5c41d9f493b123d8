using System.Numerics;
using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Layout;

/// <summary>
/// Turns a <see cref="LayoutSpec"/> into a <see cref="DiskPlan"/>, or explains what is wrong. Nothing is written
/// until a plan exists, so a bad layout never leaves a half-made disk.
/// </summary>
public static class LayoutPlanner
{
    private const int Sector = DiskPlan.SectorSize;
    private const long GptReservedSectors = 1 + 32; // a header plus 128 entries of 128 bytes, at each end
    private const long MbrMaxSectors = uint.MaxValue;

    public static DiskPlan Plan(LayoutSpec spec)
    {
        var fail = (string message) => new InvalidDataException($"{spec.Origin}: {message}");
        if (spec.Alignment < Sector || spec.Alignment % Sector != 0 || !BitOperations.IsPow2(spec.Alignment))
            throw fail($"alignment {spec.Alignment} must be a power of two and a multiple of {Sector} bytes");
        if (spec.Partitions.Count == 0) throw fail("the layout has no partitions");
        var maxPartitions = spec.Table == PartitionTableKind.Mbr ? 4 : 128;
        if (spec.Partitions.Count > maxPartitions)
            throw fail($"{spec.Partitions.Count} partitions, but a {spec.Table} table holds at most {maxPartitions}");
        if (spec.Size is { } size && (size <= 0 || size % Sector != 0))
            throw fail($"disk size {size} must be a positive multiple of {Sector} bytes");

        var gpt = spec.Table == PartitionTableKind.Gpt;
        var firstUsable = gpt ? (1 + GptReservedSectors) * Sector : Sector;
        var diskSize = spec.Size;
        var lastUsableEnd = diskSize is { } known ? known - (gpt ? GptReservedSectors * Sector : 0) : long.MaxValue;

        var planned = new List<PlannedPartition>();
        var cursor = firstUsable;
        for (var i = 0; i < spec.Partitions.Count; i++)
        {
            var part = spec.Partitions[i];
            var where = $"partition {i + 1} '{part.Name}'";
            if (!gpt && part.Kind == PartitionKind.BiosBoot) throw fail($"{where}: a bios-boot partition needs a GPT table");
            if (part.Rest && i != spec.Partitions.Count - 1) throw fail($"{where}: only the last partition may take 'the rest'");

            long offset;
            if (part.Start is { } start)
            {
                if (start % spec.Alignment != 0)
                    throw fail($"{where}: start {start} is not aligned to {ByteSize.Format(spec.Alignment)} (nearest: {ByteSize.AlignUp(start, spec.Alignment)})");
                if (start < cursor)
                    throw fail(planned.Count == 0
                        ? $"{where}: start {start} lies inside the partition table area (first usable byte: {firstUsable})"
                        : $"{where}: start {start} overlaps partition {planned.Count} '{planned[^1].Name}', which ends at {planned[^1].End}");
                offset = start;
            }
            else
            {
                offset = ByteSize.AlignUp(cursor, spec.Alignment);
            }

            var imageSize = ImageSize(part, where, fail);
            long length;
            if (part.Rest)
            {
                if (diskSize is null) throw fail($"{where}: 'the rest' needs the disk size to be given");
                length = ByteSize.AlignDown(lastUsableEnd - offset, spec.Alignment);
                if (length <= 0) throw fail($"{where}: nothing is left for it: the disk ends at {lastUsableEnd} and it would start at {offset}");
            }
            else if (part.Size is { } wanted)
            {
                if (wanted <= 0 || wanted % Sector != 0) throw fail($"{where}: size {wanted} must be a positive multiple of {Sector} bytes");
                length = wanted;
            }
            else if (imageSize is { } fromImage)
            {
                length = ByteSize.AlignUp(fromImage, spec.Alignment);
            }
            else
            {
                throw fail($"{where}: give a size, 'rest', or an image to size it from");
            }

            if (imageSize is { } bytes && bytes > length)
                throw fail($"{where}: image {part.Image} is {bytes} bytes, larger than the partition's {length}");
            if (offset + length > lastUsableEnd)
                throw fail($"{where}: ends at byte {offset + length}, beyond the disk's last usable byte {lastUsableEnd}");

            planned.Add(new PlannedPartition(i + 1, part.Name, part.Kind, offset, length, part.Image, part.Bootable,
                DeterministicId.Guid($"{spec.Seed}/partition/{part.Name}")));
            cursor = offset + length;
        }

        var finalSize = diskSize ?? ByteSize.AlignUp(cursor + (gpt ? GptReservedSectors * Sector : 0), spec.Alignment);
        if (spec.MaxSize is { } bound && finalSize > bound)
            throw fail($"the disk is {finalSize} bytes ({ByteSize.Format(finalSize)}), larger than the bound of {bound} bytes");
        if (!gpt && planned.Any(p => p.End / Sector > MbrMaxSectors))
            throw fail("an MBR table cannot address past 2 TiB; use a GPT table");

        return new DiskPlan(spec.Table, finalSize, spec.Alignment,
            DeterministicId.DiskSignature($"{spec.Seed}/mbr"), DeterministicId.Guid($"{spec.Seed}/gpt"), planned);
    }

    private static long? ImageSize(PartitionSpec part, string where, Func<string, InvalidDataException> fail)
    {
        if (part.Image is null) return null;
        if (!File.Exists(part.Image)) throw fail($"{where}: image {part.Image} does not exist");
        return new FileInfo(part.Image).Length;
    }
}
