using System.Buffers.Binary;
using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Partitioning;

/// <summary>The 92-byte GPT header found at LBA 1 (primary) and at the last LBA (backup).</summary>
internal sealed record GptHeader(
    ulong CurrentLba,
    ulong BackupLba,
    ulong FirstUsableLba,
    ulong LastUsableLba,
    Guid DiskGuid,
    ulong EntriesLba,
    uint EntryCount,
    uint EntrySize,
    uint EntriesCrc)
{
    public const int Size = 92;
    public const uint Revision = 0x0001_0000;
    public static ReadOnlySpan<byte> Signature => "EFI PART"u8;

    private const int RevisionOffset = 8, HeaderSizeOffset = 12, HeaderCrcOffset = 16, CurrentOffset = 24, BackupOffset = 32,
        FirstUsableOffset = 40, LastUsableOffset = 48, DiskGuidOffset = 56, EntriesLbaOffset = 72, EntryCountOffset = 80,
        EntrySizeOffset = 84, EntriesCrcOffset = 88;

    public static GptHeader Read(ReadOnlySpan<byte> sector, string where)
    {
        if (!sector[..8].SequenceEqual(Signature)) throw new InvalidDataException($"{where}: no 'EFI PART' signature");
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(sector[HeaderSizeOffset..]);
        if (headerSize < Size || headerSize > 512) throw new InvalidDataException($"{where}: header size {headerSize} is out of range");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(sector[HeaderCrcOffset..]);
        Span<byte> copy = stackalloc byte[(int)headerSize];
        sector[..(int)headerSize].CopyTo(copy);
        copy.Slice(HeaderCrcOffset, 4).Clear();
        var computed = Crc32.Compute(copy);
        if (stored != computed) throw new InvalidDataException($"{where}: header CRC32 is 0x{stored:x8}, computed 0x{computed:x8} (corrupt)");

        var header = new GptHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(sector[CurrentOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[BackupOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[FirstUsableOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[LastUsableOffset..]),
            new Guid(sector.Slice(DiskGuidOffset, 16)),
            BinaryPrimitives.ReadUInt64LittleEndian(sector[EntriesLbaOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[EntryCountOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[EntrySizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[EntriesCrcOffset..]));
        if (header.EntrySize < GptEntry.Size || header.EntrySize > 4096 || header.EntrySize % 8 != 0)
            throw new InvalidDataException($"{where}: partition entry size {header.EntrySize} is invalid");
        if (header.EntryCount is 0 or > 1024) throw new InvalidDataException($"{where}: partition entry count {header.EntryCount} is invalid");
        if (header.FirstUsableLba > header.LastUsableLba)
            throw new InvalidDataException($"{where}: first usable LBA {header.FirstUsableLba} is after the last {header.LastUsableLba}");
        return header;
    }

    public void Write(Span<byte> sector)
    {
        sector[..512].Clear();
        Signature.CopyTo(sector);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[RevisionOffset..], Revision);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[HeaderSizeOffset..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[CurrentOffset..], CurrentLba);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[BackupOffset..], BackupLba);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[FirstUsableOffset..], FirstUsableLba);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[LastUsableOffset..], LastUsableLba);
        DiskGuid.TryWriteBytes(sector.Slice(DiskGuidOffset, 16));
        BinaryPrimitives.WriteUInt64LittleEndian(sector[EntriesLbaOffset..], EntriesLba);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[EntryCountOffset..], EntryCount);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[EntrySizeOffset..], EntrySize);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[EntriesCrcOffset..], EntriesCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[HeaderCrcOffset..], Crc32.Compute(sector[..Size]));
    }
}
