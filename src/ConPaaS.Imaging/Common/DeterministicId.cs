using System.Security.Cryptography;
using System.Text;

namespace ConPaaS.Imaging.Common;

/// <summary>
/// Identifiers derived from a seed string (recipe name plus role), so that the same inputs give the same bytes:
/// GPT disk and partition GUIDs, MBR disk identifiers, VirtualBox UUIDs.
/// </summary>
public static class DeterministicId
{
    /// <summary>A version-4-shaped GUID taken from SHA-256 of the seed.</summary>
    public static Guid Guid(string seed)
    {
        Span<byte> bytes = stackalloc byte[16];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16).CopyTo(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (byte 7 is the high byte of Data3 in .NET's layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    /// <summary>A non-zero 32-bit MBR disk identifier from the seed.</summary>
    public static uint DiskSignature(string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var value = BitConverter.ToUInt32(hash, 0);
        return value == 0 ? 1u : value;
    }
}
