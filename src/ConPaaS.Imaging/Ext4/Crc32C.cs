using System.Numerics;

namespace ConPaaS.Imaging.Ext4;

/// <summary>CRC-32C (Castagnoli) updates without pre- or post-inversion, as ext4's metadata checksums use them.</summary>
internal static class Crc32C
{
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.ToUInt64(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
