using System.Buffers.Binary;

namespace ConPaaS.Imaging.Qcow2;

/// <summary>The qcow2 version 3 header (big-endian), without backing file, encryption or snapshots.</summary>
internal sealed record Qcow2Header(uint Version, int ClusterBits, ulong Size, uint L1Size, ulong L1TableOffset,
    ulong RefcountTableOffset, uint RefcountTableClusters, uint RefcountOrder)
{
    public const uint Magic = 0x514649FB; // "QFI\xfb"
    public const int V3Length = 104;
    public const ulong CopiedFlag = 1ul << 63, CompressedFlag = 1ul << 62, OffsetMask = 0x00FF_FFFF_FFFF_FE00;

    public static bool HasMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == Magic;

    public static Qcow2Header Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < 72 || !HasMagic(data)) throw new InvalidDataException("qcow2 header: no 'QFI\\xfb' magic");
        var version = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (version is not (2 or 3)) throw new InvalidDataException($"qcow2 header: version {version} is not 2 or 3");
        if (BinaryPrimitives.ReadUInt64BigEndian(data[8..]) != 0) throw new InvalidDataException("qcow2 header: images with a backing file are not supported");
        var clusterBits = (int)BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        if (clusterBits is < 9 or > 21) throw new InvalidDataException($"qcow2 header: cluster bits {clusterBits} out of range");
        if (BinaryPrimitives.ReadUInt32BigEndian(data[32..]) != 0) throw new InvalidDataException("qcow2 header: encrypted images are not supported");
        var header = new Qcow2Header(version, clusterBits,
            BinaryPrimitives.ReadUInt64BigEndian(data[24..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[36..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[40..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[48..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[56..]),
            version == 3 ? BinaryPrimitives.ReadUInt32BigEndian(data[96..]) : 4);
        if (version == 3 && BinaryPrimitives.ReadUInt64BigEndian(data[72..]) != 0)
            throw new InvalidDataException("qcow2 header: incompatible features are set (dirty, external data, compression type...)");
        return header;
    }

    public void Write(Span<byte> data)
    {
        data[..V3Length].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(data, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(data[4..], Version);
        BinaryPrimitives.WriteUInt32BigEndian(data[20..], (uint)ClusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(data[24..], Size);
        BinaryPrimitives.WriteUInt32BigEndian(data[36..], L1Size);
        BinaryPrimitives.WriteUInt64BigEndian(data[40..], L1TableOffset);
        BinaryPrimitives.WriteUInt64BigEndian(data[48..], RefcountTableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(data[56..], RefcountTableClusters);
        BinaryPrimitives.WriteUInt32BigEndian(data[96..], RefcountOrder);
        BinaryPrimitives.WriteUInt32BigEndian(data[100..], V3Length);
    }
}
