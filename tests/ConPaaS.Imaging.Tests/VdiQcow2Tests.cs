using System.Text.Json;
using ConPaaS.Imaging.Formats;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

/// <summary>VDI and qcow2 judged by qemu-img, and qemu-img's files read by us.</summary>
public class VdiQcow2Tests
{
    private const int Size = 24 << 20;

    [Theory]
    [InlineData(ImageFormat.Vdi, "vdi")]
    [InlineData(ImageFormat.Qcow2, "qcow2")]
    public void QemuImgChecksAndComparesOurImageAsIdentical(ImageFormat format, string qemuName)
    {
        using var temp = new TempDirectory();
        var raw = TestDisks.WriteRaw(temp, "disk.raw", TestDisks.Pattern(Size + 512, seed: 7));
        var image = temp.File($"disk.{qemuName}");
        ImageConverter.Convert(raw, image, format);

        var check = HostTool.Try("qemu-img", "check", "--output=json", image);
        Assert.True(check.Succeeded, check.StandardOutput + check.StandardError);
        var checkJson = JsonDocument.Parse(check.StandardOutput).RootElement;
        Assert.False(checkJson.TryGetProperty("corruptions", out var corruptions) && corruptions.GetInt32() != 0);
        Assert.False(checkJson.TryGetProperty("leaks", out var leaks) && leaks.GetInt32() != 0);
        Assert.Contains("Images are identical", HostTool.Run("qemu-img", "compare", "-f", "raw", "-F", qemuName, raw, image));
        var info = JsonDocument.Parse(HostTool.Run("qemu-img", "info", "--output=json", image)).RootElement;
        Assert.Equal(qemuName, info.GetProperty("format").GetString());
        Assert.Equal(Size + 512, info.GetProperty("virtual-size").GetInt64());
    }

    [Theory]
    [InlineData("vdi")]
    [InlineData("qcow2")]
    public void ReadsImagesThatQemuImgWrote(string qemuName)
    {
        using var temp = new TempDirectory();
        var disk = TestDisks.Pattern(Size, seed: 8);
        var raw = TestDisks.WriteRaw(temp, "disk.raw", disk);
        HostTool.Run("qemu-img", "convert", "-O", qemuName, raw, temp.File($"q.{qemuName}"));
        Assert.Equal(ImageFormats.Parse(qemuName), ImageFormats.Detect(temp.File($"q.{qemuName}")));
        using var reader = ImageFormats.Open(temp.File($"q.{qemuName}"));
        Assert.Equal(disk, TestDisks.ReadAll(reader));
    }

    [Fact]
    public void QcowOfAnEmptyDiskHoldsOnlyMetadata()
    {
        using var temp = new TempDirectory();
        var raw = temp.File("empty.raw");
        using (var file = File.Create(raw)) file.SetLength(1L << 30);
        ImageConverter.Convert(raw, temp.File("empty.qcow2"), ImageFormat.Qcow2);
        Assert.True(new FileInfo(temp.File("empty.qcow2")).Length <= 4 << 16);
        Assert.Contains("No errors were found", HostTool.Run("qemu-img", "check", temp.File("empty.qcow2")));
    }
}
