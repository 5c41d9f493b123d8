using System.Buffers.Binary;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Qcow2;

/// <summary>
/// Writes a qcow2 (version 3, 64 KiB clusters, 16-bit refcounts) for OpenStack Glance. Data clusters are streamed
/// in guest order with zero clusters left out; the L2 tables, L1 table and refcount structures follow them, and
/// the header is written last. The output must be seekable.
/// </summary>
public sealed class Qcow2Writer : IImageWriter
{
    private const int ClusterBits = 16;
    private const int Cluster = 1 << ClusterBits;
    private const int L2Entries = Cluster / 8;
    private const int RefcountsPerBlock = Cluster / 2;

    public void Write(DiskSource source, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (!output.CanSeek) throw new NotSupportedException("a qcow2 needs a seekable output: its header points at tables written last");
        var start = output.Position;
        var guestClusters = (source.Length + Cluster - 1) / Cluster;
        var mapping = new ulong[guestClusters]; // host offset of each guest cluster, 0 when unallocated
        long hostClusters = 1; // the header
        output.Position = start + Cluster;

        var buffer = new byte[Cluster];
        for (long c = 0; c < guestClusters; c++)
        {
            if ((c & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (source.Read(c * Cluster, buffer) && !DiskSource.IsZero(buffer))
            {
                output.Write(buffer);
                mapping[c] = (ulong)(hostClusters++ * Cluster);
            }
            if ((c & 255) == 255 || c == guestClusters - 1) progress?.Report(Math.Min((c + 1) * Cluster, source.Length));
        }

        var l1Size = (guestClusters + L2Entries - 1) / L2Entries;
        var l1 = new ulong[l1Size];
        var table = new byte[Cluster];
        for (var t = 0; t < l1Size; t++)
        {
            var entries = mapping.AsSpan(t * L2Entries, (int)Math.Min(L2Entries, guestClusters - t * L2Entries));
            if (!entries.ContainsAnyExcept(0ul)) continue;
            Array.Clear(table);
            for (var i = 0; i < entries.Length; i++)
                if (entries[i] != 0) BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan(i * 8), entries[i] | Qcow2Header.CopiedFlag);
            output.Write(table);
            l1[t] = (ulong)(hostClusters++ * Cluster) | Qcow2Header.CopiedFlag;
        }

        var l1Offset = hostClusters * Cluster;
        var l1Clusters = Math.Max(1, (l1Size * 8 + Cluster - 1) / Cluster);
        var l1Bytes = new byte[l1Clusters * Cluster];
        for (var i = 0; i < l1Size; i++) BinaryPrimitives.WriteUInt64BigEndian(l1Bytes.AsSpan(i * 8), l1[i]);
        output.Write(l1Bytes);
        hostClusters += l1Clusters;

        // The refcount blocks and table count themselves too: grow them until they cover every cluster.
        long blocks = 0, tableClusters = 0;
        while (true)
        {
            var total = hostClusters + blocks + tableClusters;
            var neededBlocks = (total + RefcountsPerBlock - 1) / RefcountsPerBlock;
            var neededTable = (neededBlocks * 8 + Cluster - 1) / Cluster;
            if (neededBlocks == blocks && neededTable == tableClusters) break;
            (blocks, tableClusters) = (neededBlocks, neededTable);
        }
        var totalClusters = hostClusters + blocks + tableClusters;
        var firstBlock = hostClusters;
        for (long b = 0; b < blocks; b++)
        {
            Array.Clear(table);
            var covered = Math.Min(RefcountsPerBlock, totalClusters - b * RefcountsPerBlock);
            for (var i = 0; i < covered; i++) BinaryPrimitives.WriteUInt16BigEndian(table.AsSpan(i * 2), 1);
            output.Write(table);
        }
        var refcountTableOffset = (firstBlock + blocks) * Cluster;
        var refcountTable = new byte[tableClusters * Cluster];
        for (var b = 0; b < blocks; b++) BinaryPrimitives.WriteUInt64BigEndian(refcountTable.AsSpan((int)b * 8), (ulong)((firstBlock + b) * Cluster));
        output.Write(refcountTable);
        var end = output.Position;

        var header = new byte[Cluster];
        new Qcow2Header(3, ClusterBits, (ulong)source.Length, (uint)l1Size, (ulong)l1Offset, (ulong)refcountTableOffset,
            (uint)tableClusters, 4).Write(header);
        output.Position = start;
        output.Write(header);
        output.Position = end;
        output.Flush();
    }
}
