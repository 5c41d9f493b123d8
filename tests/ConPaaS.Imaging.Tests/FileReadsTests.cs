using ConPaaS.Imaging.Common;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

public class FileReadsTests
{
    private static readonly byte[] Data = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

    [Fact]
    public void ReadsExactlyAtAnOffsetOfASeekableStream()
    {
        Assert.Equal(Data[40..50], FileReads.ReadExactlyAt(new MemoryStream(Data), 40, 10, "test"));
    }

    [Fact]
    public void AReadPastTheEndSaysWhatAndWhere()
    {
        var error = Assert.Throws<InvalidDataException>(() => FileReads.ReadExactlyAt(new MemoryStream(Data), 95, 10, "qcow2 L1 table"));
        Assert.Equal("qcow2 L1 table: 10 bytes at offset 95 lie beyond the end of the 100-byte file (truncated?)", error.Message);
    }

    [Fact]
    public void ANonSeekableStreamIsReadWhereItStandsUntilItEnds()
    {
        var stream = new NonSeekableStream(new MemoryStream(Data));
        Assert.Equal(Data[..60], FileReads.ReadExactlyAt(stream, 0, 60, "test")); // in reads of 4096 at most: several calls
        var error = Assert.Throws<InvalidDataException>(() => FileReads.ReadExactlyAt(stream, 60, 50, "VMDK stream"));
        Assert.Equal("VMDK stream: the file ends at byte 100, 10 bytes short (truncated?)", error.Message);
    }
}
