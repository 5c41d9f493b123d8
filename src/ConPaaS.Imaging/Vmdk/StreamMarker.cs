using System.Buffers.Binary;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>
/// The 512-byte metadata markers of a streamOptimized VMDK (value, size 0, type). A compressed grain starts with
/// the same first 12 bytes, where value is the grain's LBA and size its compressed length.
/// </summary>
internal readonly record struct StreamMarker(ulong Value, uint Size, uint Type)
{
    public const uint EndOfStream = 0, GrainTable = 1, GrainDirectory = 2, Footer = 3;
    public const int GrainHeaderSize = 12;

    public bool IsGrain => Size != 0;

    public static StreamMarker Read(ReadOnlySpan<byte> sector) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(sector),
        BinaryPrimitives.ReadUInt32LittleEndian(sector[8..]),
        sector.Length >= 16 ? BinaryPrimitives.ReadUInt32LittleEndian(sector[12..]) : 0);

    public static void WriteMetadata(Span<byte> sector, ulong sectors, uint type)
    {
        sector[..512].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(sector, sectors);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[12..], type);
    }

    public static void WriteGrainHeader(Span<byte> header, ulong lba, uint compressedSize)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(header, lba);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], compressedSize);
    }
}
