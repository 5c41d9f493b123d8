using ConPaaS.Common;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Partitioning;

namespace ConPaaS.Imaging.Raw;

/// <summary>
/// Writes a raw disk from a plan: the partition table, then each filesystem image copied to its partition's
/// offset. No mounts and no loop devices; holes in the images stay holes, so the result is sparse.
/// The file appears at its name only when complete.
/// </summary>
public static class DiskAssembler
{
    private const int CopyBlock = 4 << 20;

    /// <param name="bootCode">MBR boot code (at most 440 bytes), or empty.</param>
    /// <param name="bootGap">Bytes written from sector 1 up to the first partition (a GRUB core image), or empty.</param>
    public static void Write(DiskPlan plan, string outputPath, ReadOnlySpan<byte> bootCode = default, ReadOnlySpan<byte> bootGap = default,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var table = PartitionTableWriter.Build(plan, bootCode);
        var firstPartition = plan.Partitions.Min(p => p.Offset);
        if (bootGap.Length > 0 && (plan.Table == PartitionTableKind.Gpt || DiskPlan.SectorSize + bootGap.Length > firstPartition))
            throw new InvalidDataException($"boot loader core image ({bootGap.Length} bytes) does not fit the MBR gap of {firstPartition - DiskPlan.SectorSize} bytes");

        using var output = AtomicFile.Create(outputPath);
        var handle = output.Stream.SafeFileHandle;
        output.Stream.SetLength(plan.Size);
        RandomAccess.Write(handle, table.Head, 0);
        if (bootGap.Length > 0) RandomAccess.Write(handle, bootGap, DiskPlan.SectorSize);
        if (table.Tail.Length > 0) RandomAccess.Write(handle, table.Tail, table.TailOffset);

        long done = 0;
        var buffer = new byte[CopyBlock];
        foreach (var partition in plan.Partitions.Where(p => p.Image is not null))
        {
            using var image = File.OpenHandle(partition.Image!, FileMode.Open, FileAccess.Read);
            var length = RandomAccess.GetLength(image);
            if (length > partition.Size)
                throw new InvalidDataException($"image {partition.Image} grew to {length} bytes, larger than partition '{partition.Name}' ({partition.Size})");
            foreach (var (start, end) in FileExtents.DataRanges(image, length))
            {
                for (var position = start; position < end; position += CopyBlock)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var chunk = buffer.AsSpan(0, (int)Math.Min(CopyBlock, end - position));
                    FileReads.ReadExactlyAt(image, chunk, position, $"image {partition.Image}");
                    RandomAccess.Write(handle, chunk, partition.Offset + position);
                    progress?.Report(done += chunk.Length);
                }
            }
        }
        output.Commit();
    }
}
