using System.Buffers.Binary;

namespace ConPaaS.Imaging.Partitioning;

/// <summary>One 16-byte MBR partition entry.</summary>
internal readonly record struct MbrEntry(bool Bootable, byte Type, uint FirstSector, uint SectorCount)
{
    public const int Size = 16;
    private const int StatusOffset = 0, FirstChsOffset = 1, TypeOffset = 4, LastChsOffset = 5, FirstLbaOffset = 8, CountOffset = 12;

    public bool IsEmpty => Type == 0 && SectorCount == 0;

    public static MbrEntry Read(ReadOnlySpan<byte> entry)
    {
        var status = entry[StatusOffset];
        if (status is not (0x00 or 0x80)) throw new InvalidDataException($"MBR entry has invalid status byte 0x{status:x2}");
        return new MbrEntry(status == 0x80, entry[TypeOffset],
            BinaryPrimitives.ReadUInt32LittleEndian(entry[FirstLbaOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(entry[CountOffset..]));
    }

    public void Write(Span<byte> entry)
    {
        entry[..Size].Clear();
        if (IsEmpty) return;
        entry[StatusOffset] = Bootable ? (byte)0x80 : (byte)0x00;
        WriteChs(entry[FirstChsOffset..], FirstSector);
        entry[TypeOffset] = Type;
        WriteChs(entry[LastChsOffset..], FirstSector + SectorCount - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[FirstLbaOffset..], FirstSector);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[CountOffset..], SectorCount);
    }

    /// <summary>CHS in the conventional 255-head, 63-sector geometry; past cylinder 1023 the maximum, as fdisk writes.</summary>
    private static void WriteChs(Span<byte> chs, uint lba)
    {
        const uint heads = 255, sectors = 63;
        var cylinder = lba / (heads * sectors);
        if (cylinder > 1023)
        {
            chs[0] = 0xFE;
            chs[1] = 0xFF;
            chs[2] = 0xFF;
            return;
        }
        var head = lba / sectors % heads;
        var sector = lba % sectors + 1;
        chs[0] = (byte)head;
        chs[1] = (byte)(sector | ((cylinder >> 2) & 0xC0));
        chs[2] = (byte)cylinder;
    }
}
