using System.Buffers.Binary;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Qcow2;

/// <summary>
/// Reads a qcow2 image's standard clusters (as this project and <c>qemu-img convert</c> write them) from a seekable
/// stream. Compressed clusters, backing files and encryption are refused with a clear error.
/// </summary>
public sealed class Qcow2Reader : DiskSource
{
    private readonly Stream _stream;
    private readonly Qcow2Header _header;
    private readonly ulong[] _l1;
    private readonly long _cluster;
    private readonly Dictionary<long, byte[]> _l2Cache = [];

    public Qcow2Reader(Stream stream)
    {
        if (!stream.CanSeek) throw new NotSupportedException("reading a qcow2 needs a seekable stream");
        _stream = stream;
        _header = Qcow2Header.Read(FileReads.ReadExactlyAt(stream, 0, Qcow2Header.V3Length, "qcow2 header"));
        _cluster = 1L << _header.ClusterBits;
        var l2Span = _cluster / 8 * _cluster;
        var needed = (long)((_header.Size + (ulong)l2Span - 1) / (ulong)l2Span);
        if (_header.L1Size < needed || _header.L1Size > (1 << 24))
            throw new InvalidDataException($"qcow2 header: L1 table of {_header.L1Size} entries cannot map {_header.Size} bytes");
        var l1Bytes = FileReads.ReadExactlyAt(stream, (long)_header.L1TableOffset, (int)_header.L1Size * 8, "qcow2 L1 table");
        _l1 = new ulong[_header.L1Size];
        for (var i = 0; i < _l1.Length; i++) _l1[i] = BinaryPrimitives.ReadUInt64BigEndian(l1Bytes.AsSpan(i * 8));
    }

    public override long Length => (long)_header.Size;

    public override bool Read(long offset, Span<byte> buffer) =>
        ReadByUnits(offset, buffer, _cluster, (cluster, inCluster, target) =>
        {
            var host = HostOffset(cluster);
            if (host == 0) return false;
            FileReads.ReadExactlyAt(_stream, target, host + inCluster, $"qcow2 cluster {cluster}");
            return true;
        });

    private long HostOffset(long cluster)
    {
        var entriesPerL2 = _cluster / 8;
        var l1Entry = _l1[cluster / entriesPerL2] & Qcow2Header.OffsetMask;
        if (l1Entry == 0) return 0;
        if (!_l2Cache.TryGetValue((long)l1Entry, out var l2))
            _l2Cache[(long)l1Entry] = l2 = FileReads.ReadExactlyAt(_stream, (long)l1Entry, (int)_cluster, $"qcow2 L2 table at {l1Entry}");
        var entry = BinaryPrimitives.ReadUInt64BigEndian(l2.AsSpan((int)(cluster % entriesPerL2) * 8));
        if ((entry & Qcow2Header.CompressedFlag) != 0) throw new InvalidDataException($"qcow2 cluster {cluster}: compressed clusters are not supported");
        if ((entry & 1) != 0) return 0; // reads as zeros
        return (long)(entry & Qcow2Header.OffsetMask);
    }

    public override void Dispose()
    {
        _stream.Dispose();
        base.Dispose();
    }
}
