using System.Buffers.Binary;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>
/// The 512-byte hosted sparse extent header ("KDMV"), at sector 0 and, for streamOptimized disks, again in the
/// footer with the real grain directory offset.
/// </summary>
internal sealed record SparseExtentHeader(
    uint Version,
    uint Flags,
    ulong Capacity,
    ulong GrainSize,
    ulong DescriptorOffset,
    ulong DescriptorSize,
    uint GtesPerGt,
    ulong GdOffset,
    ulong Overhead,
    ushort CompressAlgorithm)
{
    public const uint Magic = 0x564D444B; // "KDMV" read little-endian
    public const ulong GdAtEnd = ulong.MaxValue;
    public const uint FlagValidNewlineTest = 1, FlagZeroedGrainEntries = 1 << 2, FlagCompressed = 1 << 16, FlagMarkers = 1 << 17;
    public const ushort CompressionDeflate = 1;

    private const int VersionOffset = 4, FlagsOffset = 8, CapacityOffset = 12, GrainSizeOffset = 20, DescriptorOffsetOffset = 28,
        DescriptorSizeOffset = 36, GtesOffset = 44, RgdOffset = 48, GdOffsetOffset = 56, OverheadOffset = 64,
        NewlineCheckOffset = 73, CompressAlgorithmOffset = 77;

    private static ReadOnlySpan<byte> NewlineCheck => "\n \r\n"u8;

    private const ulong MaxSectors = 1ul << 50;

    public bool IsCompressed => (Flags & FlagCompressed) != 0;

    public bool HasMarkers => (Flags & FlagMarkers) != 0;

    public bool HasZeroedGrainEntries => (Flags & FlagZeroedGrainEntries) != 0;

    public static bool HasMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data) == Magic;

    public static SparseExtentHeader Read(ReadOnlySpan<byte> sector, string where)
    {
        if (sector.Length < 512) throw new InvalidDataException($"{where}: truncated ({sector.Length} of 512 bytes)");
        if (!HasMagic(sector)) throw new InvalidDataException($"{where}: no VMDK sparse extent magic 'KDMV'");
        var header = new SparseExtentHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(sector[VersionOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[FlagsOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[CapacityOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[GrainSizeOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[DescriptorOffsetOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[DescriptorSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[GtesOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[GdOffsetOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[OverheadOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(sector[CompressAlgorithmOffset..]));
        if (header.Version is 0 or > 3) throw new InvalidDataException($"{where}: unsupported version {header.Version}");
        if ((header.Flags & FlagValidNewlineTest) != 0 && !sector.Slice(NewlineCheckOffset, 4).SequenceEqual(NewlineCheck))
            throw new InvalidDataException($"{where}: newline check bytes are damaged (file transferred in text mode?)");
        if (header.GrainSize is < 8 or > 2048 || (header.GrainSize & (header.GrainSize - 1)) != 0)
            throw new InvalidDataException($"{where}: grain size {header.GrainSize} sectors is invalid (a power of two from 8 to 2048)");
        if (header.GtesPerGt is 0 or > 4096) throw new InvalidDataException($"{where}: {header.GtesPerGt} entries per grain table is invalid");
        if (header.Capacity == 0 || header.Capacity > (1ul << 40)) throw new InvalidDataException($"{where}: capacity {header.Capacity} sectors is out of range");
        // Sector numbers the reader multiplies by 512: anything past 2^50 sectors (512 PiB) points beyond any file and
        // would overflow that arithmetic.
        foreach (var (name, at, value) in new[] { ("descriptor offset", DescriptorOffsetOffset, header.DescriptorOffset),
                     ("descriptor size", DescriptorSizeOffset, header.DescriptorSize), ("overhead", OverheadOffset, header.Overhead),
                     ("grain directory offset", GdOffsetOffset, header.GdOffset == GdAtEnd ? 0 : header.GdOffset) })
            if (value > MaxSectors) throw new InvalidDataException($"{where}: {name} {value} (at byte {at}) points beyond any file");
        if (header.IsCompressed && header.CompressAlgorithm != CompressionDeflate)
            throw new InvalidDataException($"{where}: unknown compression algorithm {header.CompressAlgorithm}");
        return header;
    }

    public void Write(Span<byte> sector)
    {
        sector[..512].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(sector, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[VersionOffset..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[FlagsOffset..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[CapacityOffset..], Capacity);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[GrainSizeOffset..], GrainSize);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[DescriptorOffsetOffset..], DescriptorOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[DescriptorSizeOffset..], DescriptorSize);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[GtesOffset..], GtesPerGt);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[RgdOffset..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[GdOffsetOffset..], GdOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[OverheadOffset..], Overhead);
        NewlineCheck.CopyTo(sector[NewlineCheckOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[CompressAlgorithmOffset..], CompressAlgorithm);
    }
}
