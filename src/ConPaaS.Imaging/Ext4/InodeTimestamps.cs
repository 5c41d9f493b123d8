using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ConPaaS.Imaging.Ext4;

/// <summary>
/// Sets the change and access times (ctime, atime) of every used inode in an ext4 image to one value and fixes the
/// inode checksums. mke2fs -d copies both from the host, where the kernel sets ctime to the moment the file was
/// unpacked and atime to the moment mke2fs read it; no host tool can choose them, so without this two builds of the
/// same tree never give the same bytes.
/// </summary>
public static class InodeTimestamps
{
    private const int AtimeOffset = 0x08, CtimeOffset = 0x0C, GenerationOffset = 0x64, ChecksumLoOffset = 0x7C, ExtraSizeOffset = 0x80,
        ChecksumHiOffset = 0x82, CtimeExtraOffset = 0x84, AtimeExtraOffset = 0x8C;
    private const int GoodOldInodeSize = 128;
    private const ushort InodeUninitialized = 0x1;

    /// <returns>The number of inodes rewritten.</returns>
    public static int SetChangeAndAccessTimes(string imagePath, uint unixSeconds)
    {
        using var image = File.OpenHandle(imagePath, FileMode.Open, FileAccess.ReadWrite);
        var superblockBytes = ReadAt(image, Ext4Superblock.Offset, 1024);
        var sb = Ext4Superblock.Read(superblockBytes);
        var descriptors = ReadAt(image, (sb.FirstDataBlock + 1L) * sb.BlockSize, checked((int)(sb.GroupCount * sb.DescriptorSize)));
        var rewritten = 0;
        for (uint group = 0; group < sb.GroupCount; group++)
        {
            var descriptor = descriptors.AsSpan((int)(group * sb.DescriptorSize), sb.DescriptorSize);
            if ((BinaryPrimitives.ReadUInt16LittleEndian(descriptor[0x12..]) & InodeUninitialized) != 0) continue;
            var bitmapBlock = Block(descriptor, 0x04, 0x24, sb.Is64Bit);
            var tableBlock = Block(descriptor, 0x08, 0x28, sb.Is64Bit);
            var unused = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[0x1C..]) | (sb.Is64Bit && sb.DescriptorSize >= 0x34 ? BinaryPrimitives.ReadUInt16LittleEndian(descriptor[0x32..]) << 16 : 0);
            var initialized = (int)Math.Min(sb.InodesPerGroup, Math.Max(0, sb.InodesPerGroup - unused));
            if (initialized == 0) continue;

            var bitmap = ReadAt(image, bitmapBlock * sb.BlockSize, sb.BlockSize);
            var tableOffset = tableBlock * sb.BlockSize;
            var table = ReadAt(image, tableOffset, initialized * sb.InodeSize);
            var changed = false;
            for (var index = 0; index < initialized; index++)
            {
                if ((bitmap[index >> 3] & (1 << (index & 7))) == 0) continue;
                var inode = table.AsSpan(index * sb.InodeSize, sb.InodeSize);
                SetTimes(inode, unixSeconds);
                if (sb.MetadataChecksums) WriteChecksum(inode, group * sb.InodesPerGroup + (uint)index + 1, sb);
                changed = true;
                rewritten++;
            }
            if (changed) RandomAccess.Write(image, table, tableOffset);
        }
        RandomAccess.FlushToDisk(image);
        return rewritten;
    }

    private static void SetTimes(Span<byte> inode, uint seconds)
    {
        foreach (var (field, extra) in new[] { (CtimeOffset, CtimeExtraOffset), (AtimeOffset, AtimeExtraOffset) })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(inode[field..], seconds);
            if (inode.Length > GoodOldInodeSize && GoodOldInodeSize + ExtraSize(inode) >= extra + 4)
                BinaryPrimitives.WriteUInt32LittleEndian(inode[extra..], 0);
        }
    }

    /// <summary>ext4's inode checksum: CRC-32C over the inode number, generation and inode with the checksum fields zeroed.</summary>
    private static void WriteChecksum(Span<byte> inode, uint number, Ext4Superblock sb)
    {
        var hasHi = inode.Length > GoodOldInodeSize && GoodOldInodeSize + ExtraSize(inode) >= ChecksumHiOffset + 2;
        inode.Slice(ChecksumLoOffset, 2).Clear();
        if (hasHi) inode.Slice(ChecksumHiOffset, 2).Clear();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, number);
        var crc = Crc32C.Update(sb.ChecksumSeed, word);
        crc = Crc32C.Update(crc, inode.Slice(GenerationOffset, 4));
        crc = Crc32C.Update(crc, inode);
        BinaryPrimitives.WriteUInt16LittleEndian(inode[ChecksumLoOffset..], (ushort)crc);
        if (hasHi) BinaryPrimitives.WriteUInt16LittleEndian(inode[ChecksumHiOffset..], (ushort)(crc >> 16));
    }

    private static int ExtraSize(ReadOnlySpan<byte> inode) => BinaryPrimitives.ReadUInt16LittleEndian(inode[ExtraSizeOffset..]);

    private static long Block(ReadOnlySpan<byte> descriptor, int lo, int hi, bool is64Bit) =>
        BinaryPrimitives.ReadUInt32LittleEndian(descriptor[lo..]) | (is64Bit && descriptor.Length >= hi + 4 ? (long)BinaryPrimitives.ReadUInt32LittleEndian(descriptor[hi..]) << 32 : 0);

    private static byte[] ReadAt(SafeFileHandle handle, long offset, int count)
    {
        var buffer = new byte[count];
        Common.FileReads.ReadExactlyAt(handle, buffer, offset, "ext4 metadata");
        return buffer;
    }
}
