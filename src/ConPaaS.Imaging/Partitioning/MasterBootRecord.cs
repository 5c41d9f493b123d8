using System.Buffers.Binary;

namespace ConPaaS.Imaging.Partitioning;

/// <summary>Sector 0: boot code, the 32-bit disk identifier, four entries and the 0x55AA signature.</summary>
internal sealed record MasterBootRecord(uint DiskId, IReadOnlyList<MbrEntry> Entries)
{
    public const int BootCodeSize = 440;
    private const int DiskIdOffset = 440, EntriesOffset = 446, SignatureOffset = 510;

    public static bool HasSignature(ReadOnlySpan<byte> sector) =>
        sector.Length >= 512 && sector[SignatureOffset] == 0x55 && sector[SignatureOffset + 1] == 0xAA;

    public static MasterBootRecord Read(ReadOnlySpan<byte> sector)
    {
        if (!HasSignature(sector)) throw new InvalidDataException("sector 0 has no MBR signature 0x55AA at byte 510");
        var entries = new List<MbrEntry>(4);
        for (var i = 0; i < 4; i++)
        {
            try
            {
                entries.Add(MbrEntry.Read(sector.Slice(EntriesOffset + i * MbrEntry.Size, MbrEntry.Size)));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"MBR partition {i + 1} (byte {EntriesOffset + i * MbrEntry.Size}): {e.Message}");
            }
        }
        return new MasterBootRecord(BinaryPrimitives.ReadUInt32LittleEndian(sector[DiskIdOffset..]), entries);
    }

    /// <summary>Writes the table into <paramref name="sector"/>, keeping the boot code already in its first 440 bytes.</summary>
    public void Write(Span<byte> sector)
    {
        if (Entries.Count > 4) throw new ArgumentException("an MBR holds four primary entries");
        BinaryPrimitives.WriteUInt32LittleEndian(sector[DiskIdOffset..], DiskId);
        sector[444] = 0;
        sector[445] = 0;
        for (var i = 0; i < 4; i++)
        {
            var entry = i < Entries.Count ? Entries[i] : default;
            entry.Write(sector.Slice(EntriesOffset + i * MbrEntry.Size, MbrEntry.Size));
        }
        sector[SignatureOffset] = 0x55;
        sector[SignatureOffset + 1] = 0xAA;
    }
}
