using System.Buffers.Binary;
using System.Text;

namespace ConPaaS.Imaging.Partitioning;

/// <summary>One 128-byte GPT partition entry. LastLba is inclusive, as the specification has it.</summary>
internal readonly record struct GptEntry(Guid Type, Guid Unique, ulong FirstLba, ulong LastLba, ulong Attributes, string Name)
{
    public const int Size = 128;
    public const ulong LegacyBiosBootable = 1ul << 2;
    private const int UniqueOffset = 16, FirstOffset = 32, LastOffset = 40, AttributesOffset = 48, NameOffset = 56, NameBytes = 72;

    public bool IsEmpty => Type == Guid.Empty;

    public static GptEntry Read(ReadOnlySpan<byte> entry)
    {
        var name = Encoding.Unicode.GetString(entry.Slice(NameOffset, NameBytes)).TrimEnd('\0');
        return new GptEntry(new Guid(entry[..16]), new Guid(entry.Slice(UniqueOffset, 16)),
            BinaryPrimitives.ReadUInt64LittleEndian(entry[FirstOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(entry[LastOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(entry[AttributesOffset..]), name);
    }

    public void Write(Span<byte> entry)
    {
        entry[..Size].Clear();
        if (IsEmpty) return;
        Type.TryWriteBytes(entry[..16]);
        Unique.TryWriteBytes(entry.Slice(UniqueOffset, 16));
        BinaryPrimitives.WriteUInt64LittleEndian(entry[FirstOffset..], FirstLba);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[LastOffset..], LastLba);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[AttributesOffset..], Attributes);
        var name = Name.Length > NameBytes / 2 ? Name[..(NameBytes / 2)] : Name;
        Encoding.Unicode.GetBytes(name, entry.Slice(NameOffset, NameBytes));
    }
}
