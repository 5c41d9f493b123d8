using System.Buffers.Binary;
using System.Text;

namespace ConPaaS.Imaging.Vdi;

/// <summary>The VirtualBox VDI 1.1 header: a text banner, then the binary fields at fixed offsets.</summary>
internal sealed record VdiHeader(uint ImageType, uint BlockMapOffset, uint DataOffset, ulong DiskSize, uint BlockSize,
    uint BlocksInImage, uint BlocksAllocated, Guid ImageUuid, Guid LastSnapshotUuid)
{
    public const int Size = 512;
    public const uint Signature = 0xBEDA107F, Version = 0x0001_0001, HeaderSize = 0x190;
    public const uint TypeDynamic = 1, TypeFixed = 2;
    public const uint Unallocated = 0xFFFF_FFFF, Discarded = 0xFFFF_FFFE;
    public const string Banner = "<<< Oracle VM VirtualBox Disk Image >>>\n";

    private const int SignatureOffset = 0x40, VersionOffset = 0x44, HeaderSizeOffset = 0x48, TypeOffset = 0x4C,
        BlockMapOffsetOffset = 0x154, DataOffsetOffset = 0x158, CylindersOffset = 0x15C, HeadsOffset = 0x160,
        SectorsOffset = 0x164, SectorSizeOffset = 0x168, DiskSizeOffset = 0x170, BlockSizeOffset = 0x178,
        BlocksInImageOffset = 0x180, BlocksAllocatedOffset = 0x184, ImageUuidOffset = 0x188, LastSnapUuidOffset = 0x198,
        LinkUuidOffset = 0x1A8, ParentUuidOffset = 0x1B8;

    public static bool HasSignature(ReadOnlySpan<byte> data) =>
        data.Length >= SignatureOffset + 4 && BinaryPrimitives.ReadUInt32LittleEndian(data[SignatureOffset..]) == Signature;

    public static VdiHeader Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < Size) throw new InvalidDataException("VDI header: truncated");
        if (!HasSignature(data)) throw new InvalidDataException("VDI header: no signature 0xBEDA107F at byte 0x40");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(data[VersionOffset..]);
        if (version != Version) throw new InvalidDataException($"VDI header: version 0x{version:x8} is not 1.1");
        var header = new VdiHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(data[TypeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[BlockMapOffsetOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[DataOffsetOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(data[DiskSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[BlockSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[BlocksInImageOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[BlocksAllocatedOffset..]),
            new Guid(data.Slice(ImageUuidOffset, 16)), new Guid(data.Slice(LastSnapUuidOffset, 16)));
        if (header.ImageType is not (TypeDynamic or TypeFixed)) throw new InvalidDataException($"VDI header: image type {header.ImageType} is not dynamic or fixed");
        if (header.BlockSize is 0 or > 64 << 20 || (header.BlockSize & (header.BlockSize - 1)) != 0)
            throw new InvalidDataException($"VDI header: block size {header.BlockSize} is invalid");
        if ((ulong)header.BlocksInImage * header.BlockSize < header.DiskSize)
            throw new InvalidDataException($"VDI header: {header.BlocksInImage} blocks cannot hold {header.DiskSize} bytes");
        if (new Guid(data.Slice(ParentUuidOffset, 16)) != Guid.Empty) throw new InvalidDataException("VDI header: differencing images (with a parent) are not supported");
        return header;
    }

    public void Write(Span<byte> data)
    {
        data[..Size].Clear();
        Encoding.ASCII.GetBytes(Banner, data);
        BinaryPrimitives.WriteUInt32LittleEndian(data[SignatureOffset..], Signature);
        BinaryPrimitives.WriteUInt32LittleEndian(data[VersionOffset..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(data[HeaderSizeOffset..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(data[TypeOffset..], ImageType);
        BinaryPrimitives.WriteUInt32LittleEndian(data[BlockMapOffsetOffset..], BlockMapOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(data[DataOffsetOffset..], DataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(data[CylindersOffset..], (uint)Math.Min(DiskSize / 512 / (16 * 63), 16383));
        BinaryPrimitives.WriteUInt32LittleEndian(data[HeadsOffset..], 16);
        BinaryPrimitives.WriteUInt32LittleEndian(data[SectorsOffset..], 63);
        BinaryPrimitives.WriteUInt32LittleEndian(data[SectorSizeOffset..], 512);
        BinaryPrimitives.WriteUInt64LittleEndian(data[DiskSizeOffset..], DiskSize);
        BinaryPrimitives.WriteUInt32LittleEndian(data[BlockSizeOffset..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(data[BlocksInImageOffset..], BlocksInImage);
        BinaryPrimitives.WriteUInt32LittleEndian(data[BlocksAllocatedOffset..], BlocksAllocated);
        ImageUuid.TryWriteBytes(data.Slice(ImageUuidOffset, 16));
        LastSnapshotUuid.TryWriteBytes(data.Slice(LastSnapUuidOffset, 16));
    }
}
