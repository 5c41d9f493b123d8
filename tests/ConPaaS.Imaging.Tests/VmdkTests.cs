using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using ConPaaS.Imaging.Sources;
using ConPaaS.Imaging.Vmdk;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

public class VmdkTests
{
    private const int Size = 40 << 20;

    private static byte[] WriteVmdk(byte[] disk, Stream? output = null)
    {
        var memory = new MemoryStream();
        using var source = new StreamSource(new MemoryStream(disk), disk.Length);
        new VmdkStreamWriter { ExtentName = "t.vmdk" }.Write(source, output ?? memory, null, CancellationToken.None);
        return memory.ToArray();
    }

    [Fact]
    public void RoundTripsInMemory()
    {
        var disk = TestDisks.Pattern(Size);
        using var reader = new VmdkReader(new MemoryStream(WriteVmdk(disk)));
        Assert.Equal("streamOptimized", reader.CreateType);
        Assert.Equal(disk, TestDisks.ReadAll(reader));
    }

    [Fact]
    public void RoundTripsThroughNonSeekableStreamsBothWays()
    {
        var disk = TestDisks.Pattern(Size, seed: 2);
        var written = new MemoryStream();
        WriteVmdk(disk, new NonSeekableStream(written));
        using var reader = new VmdkReader(new NonSeekableStream(new MemoryStream(written.ToArray())));
        Assert.Equal(disk, TestDisks.ReadAll(reader, chunk: 3 << 20));
    }

    [Fact]
    public void AllZeroGrainsAreNotStored()
    {
        var vmdk = WriteVmdk(new byte[Size]);
        Assert.True(vmdk.Length < 64 * 1024 + 16 * 1024, $"an empty 40 MiB disk took {vmdk.Length} bytes");
    }

    [Fact]
    public void QemuImgChecksAndComparesOurVmdkAsIdentical()
    {
        using var temp = new TempDirectory();
        var raw = TestDisks.WriteRaw(temp, "disk.raw", TestDisks.Pattern(Size + 3 * 512, seed: 3)); // not a whole grain
        Formats.ImageConverter.Convert(raw, temp.File("disk.vmdk"), Formats.ImageFormat.Vmdk);

        Assert.Contains("No errors were found", HostTool.Run("qemu-img", "check", temp.File("disk.vmdk")));
        Assert.Contains("Images are identical", HostTool.Run("qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw, temp.File("disk.vmdk")));
        var info = JsonDocument.Parse(HostTool.Run("qemu-img", "info", "--output=json", temp.File("disk.vmdk"))).RootElement;
        Assert.Equal("vmdk", info.GetProperty("format").GetString());
        Assert.Equal(Size + 3 * 512, info.GetProperty("virtual-size").GetInt64());
        Assert.Equal("streamOptimized", info.GetProperty("format-specific").GetProperty("data").GetProperty("create-type").GetString());
    }

    [Theory]
    [InlineData("streamOptimized")]
    [InlineData("monolithicSparse")]
    public void ReadsVmdksThatQemuImgWrote(string subformat)
    {
        using var temp = new TempDirectory();
        var disk = TestDisks.Pattern(Size, seed: 4);
        var raw = TestDisks.WriteRaw(temp, "disk.raw", disk);
        HostTool.Run("qemu-img", "convert", "-O", "vmdk", "-o", $"subformat={subformat}", raw, temp.File("q.vmdk"));
        using var reader = new VmdkReader(File.OpenRead(temp.File("q.vmdk")));
        Assert.Equal(subformat, reader.CreateType);
        Assert.Equal(disk, TestDisks.ReadAll(reader));
    }

    [Fact]
    public void TruncatedVmdkIsRejected()
    {
        var vmdk = WriteVmdk(TestDisks.Pattern(Size));
        var error = Assert.Throws<InvalidDataException>(() => new VmdkReader(new MemoryStream(vmdk[..(vmdk.Length / 2 / 512 * 512)])));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void CorruptGrainIsRejected()
    {
        var vmdk = WriteVmdk(TestDisks.Pattern(Size, seed: 5));
        // The first grain starts at sector 128; damage its deflate stream past the 12-byte grain header and zlib header.
        for (var i = 128 * 512 + 20; i < 128 * 512 + 200; i++) vmdk[i] ^= 0xFF;
        using var reader = new VmdkReader(new MemoryStream(vmdk));
        var error = Assert.Throws<InvalidDataException>(() => TestDisks.ReadAll(reader));
        Assert.Contains("VMDK grain", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GrainThatInflatesBeyondItsSizeIsRefused(bool seekable)
    {
        var bomb = StreamWithOneGrain(new byte[16 << 20]); // 16 MiB of zeros deflates to ~16 KiB
        Stream stream = seekable ? new MemoryStream(bomb) : new NonSeekableStream(new MemoryStream(bomb));
        using var reader = new VmdkReader(stream);
        var error = Assert.Throws<InvalidDataException>(() => reader.Read(0, new byte[65536]));
        Assert.Contains("inflates to more than one grain", error.Message);
    }

    [Fact]
    public void Sector_numbers_beyond_any_file_are_refused_by_name_not_by_overflow()
    {
        var vmdk = WriteVmdk(new byte[1 << 20]);
        BinaryPrimitives.WriteUInt64LittleEndian(vmdk.AsSpan(56), 0x8000000000000000);
        var error = Assert.Throws<InvalidDataException>(() => new VmdkReader(new MemoryStream(vmdk)));
        Assert.Contains("grain directory offset 9223372036854775808 (at byte 56) points beyond any file", error.Message);
    }

    /// <summary>A hand-made streamOptimized file of one grain whose payload is <paramref name="grainPayload"/> deflated.</summary>
    private static byte[] StreamWithOneGrain(byte[] grainPayload)
    {
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(grainPayload);
        var header = new SparseExtentHeader(3, 0x30001, 128, 128, 0, 0, 512, SparseExtentHeader.GdAtEnd, 1, 1);
        var file = new MemoryStream();
        var sector = new byte[512];
        header.Write(sector);
        file.Write(sector);
        var grain = new byte[(12 + compressed.Length + 511) / 512 * 512];
        StreamMarker.WriteGrainHeader(grain, 0, (uint)compressed.Length);
        compressed.ToArray().CopyTo(grain, 12);
        file.Write(grain);
        var gtSector = file.Length / 512 + 1;
        StreamMarker.WriteMetadata(sector, 4, StreamMarker.GrainTable);
        file.Write(sector);
        var table = new byte[2048];
        BinaryPrimitives.WriteUInt32LittleEndian(table, 1);
        file.Write(table);
        var gdSector = file.Length / 512 + 1;
        StreamMarker.WriteMetadata(sector, 1, StreamMarker.GrainDirectory);
        file.Write(sector);
        Array.Clear(sector);
        BinaryPrimitives.WriteUInt32LittleEndian(sector, (uint)gtSector);
        file.Write(sector);
        StreamMarker.WriteMetadata(sector, 1, StreamMarker.Footer);
        file.Write(sector);
        (header with { GdOffset = (ulong)gdSector }).Write(sector);
        file.Write(sector);
        StreamMarker.WriteMetadata(sector, 0, StreamMarker.EndOfStream);
        file.Write(sector);
        return file.ToArray();
    }
}
