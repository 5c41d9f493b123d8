using System.Buffers.Binary;

namespace ConPaaS.Imaging.Ext4;

/// <summary>The fields of the ext4 superblock (at byte 1024) that walking the inode tables needs.</summary>
internal sealed record Ext4Superblock(
    uint InodesCount,
    uint FirstDataBlock,
    int BlockSize,
    uint InodesPerGroup,
    int InodeSize,
    bool Is64Bit,
    int DescriptorSize,
    bool MetadataChecksums,
    uint ChecksumSeed)
{
    public const int Offset = 1024;
    private const ushort Magic = 0xEF53;
    private const uint Incompat64Bit = 0x80, IncompatChecksumSeed = 0x2000, RoCompatMetadataChecksum = 0x400;

    public uint GroupCount => (InodesCount + InodesPerGroup - 1) / InodesPerGroup;

    public static Ext4Superblock Read(ReadOnlySpan<byte> sb)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(sb[0x38..]) != Magic) throw new InvalidDataException("ext4: no superblock magic 0xEF53 at byte 1024");
        var logBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x18..]);
        if (logBlockSize > 6) throw new InvalidDataException($"ext4 superblock: block size 2^{10 + logBlockSize} is out of range");
        var inodeSize = BinaryPrimitives.ReadUInt16LittleEndian(sb[0x58..]);
        var revision = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x4C..]);
        if (revision == 0) inodeSize = 128;
        if (inodeSize < 128 || (inodeSize & (inodeSize - 1)) != 0) throw new InvalidDataException($"ext4 superblock: inode size {inodeSize} is invalid");
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x60..]);
        var roCompat = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x64..]);
        var is64Bit = (incompat & Incompat64Bit) != 0;
        var descriptorSize = is64Bit ? BinaryPrimitives.ReadUInt16LittleEndian(sb[0xFE..]) : 32;
        if (descriptorSize < 32 || descriptorSize > 1024) throw new InvalidDataException($"ext4 superblock: group descriptor size {descriptorSize} is invalid");
        var inodesPerGroup = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x28..]);
        if (inodesPerGroup == 0) throw new InvalidDataException("ext4 superblock: zero inodes per group");
        var seed = (incompat & IncompatChecksumSeed) != 0
            ? BinaryPrimitives.ReadUInt32LittleEndian(sb[0x270..])
            : Crc32C.Update(uint.MaxValue, sb.Slice(0x68, 16));
        return new Ext4Superblock(
            BinaryPrimitives.ReadUInt32LittleEndian(sb),
            BinaryPrimitives.ReadUInt32LittleEndian(sb[0x14..]),
            1024 << (int)logBlockSize,
            inodesPerGroup,
            inodeSize,
            is64Bit,
            descriptorSize,
            (roCompat & RoCompatMetadataChecksum) != 0,
            seed);
    }
}
