using System.Text.Json;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Cli.Tests;

public class CliTests
{
    private static void WriteLayout(TempDirectory temp, string yaml) => File.WriteAllText(temp.File("layout.yaml"), yaml);

    private static string Ext4(TempDirectory temp) =>
        Filesystems.Ext4(temp, "root.ext4", 16, new Dictionary<string, string> { ["hello.txt"] = "hi\n" });

    /// <summary>disk.raw: an MBR disk whose one partition holds a real ext4 filesystem, written by cps-image layout.</summary>
    private static async Task<string> LayoutDiskAsync(TempDirectory temp)
    {
        Ext4(temp);
        WriteLayout(temp, "table: mbr\npartitions:\n  - { name: root, image: root.ext4 }\n");
        var layout = await CpsImage.RunAsync("layout", temp.File("layout.yaml"), temp.File("disk.raw"));
        Assert.Equal(0, layout.ExitCode);
        return temp.File("disk.raw");
    }

    [Fact]
    public async Task LayoutWritesADiskThatSfdiskAndInspectAgreeOn()
    {
        using var temp = new TempDirectory();
        Ext4(temp);
        WriteLayout(temp, "table: gpt\nsize: 64MiB\npartitions:\n  - { name: root, type: linux, size: rest, image: root.ext4 }\n");
        var layout = await CpsImage.RunAsync("layout", temp.File("layout.yaml"), temp.File("disk.raw"));
        Assert.Equal(0, layout.ExitCode);

        var sfdisk = JsonDocument.Parse(HostTool.Run("sfdisk", "--json", temp.File("disk.raw"))).RootElement.GetProperty("partitiontable");
        Assert.Equal(8192, sfdisk.GetProperty("partitions")[0].GetProperty("start").GetInt64());

        var inspect = await CpsImage.RunAsync("inspect", "--json", temp.File("disk.raw"));
        Assert.Equal(0, inspect.ExitCode);
        var report = JsonDocument.Parse(inspect.StandardOutput).RootElement;
        Assert.Equal("gpt", report.GetProperty("table").GetString());
        Assert.Equal(64 << 20, report.GetProperty("virtualSize").GetInt64());
        var partition = report.GetProperty("partitions")[0];
        Assert.Equal(4 << 20, partition.GetProperty("partition").GetProperty("offset").GetInt64());
        Assert.True(partition.GetProperty("aligned").GetBoolean());
        Assert.Equal("hi\n", HostTool.Run("debugfs", "-R", "cat /hello.txt", $"{temp.File("disk.raw")}?offset={4 << 20}"));
    }

    [Theory]
    [InlineData("table: mbr\npartitions:\n  - { name: a, size: 8MiB }\n  - { name: b, size: 8MiB, start: 8MiB }\n", "overlaps partition 1 'a'")]
    [InlineData("table: mbr\npartitions:\n  - { name: a, size: 8MiB, start: 1MiB }\n", "not aligned to 4 MiB")]
    [InlineData("table: mbr\nmax-size: 31998345216\npartitions:\n  - { name: a, size: 32GiB }\n", "larger than the bound of 31998345216 bytes")]
    [InlineData("table: mbr\npartitions:\n  - { name: a, size: 8MiB, image: missing.ext4 }\n", "image")]
    public async Task BadLayoutsAreRefusedAndWriteNothing(string yaml, string expected)
    {
        using var temp = new TempDirectory();
        WriteLayout(temp, yaml);
        var result = await CpsImage.RunAsync("layout", temp.File("layout.yaml"), temp.File("disk.raw"));
        CpsImage.AssertCleanError(result, expected);
        Assert.Equal(["layout.yaml"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ConvertWritesWhatQemuImgCallsIdentical()
    {
        using var temp = new TempDirectory();
        await LayoutDiskAsync(temp);
        foreach (var format in new[] { "vmdk", "vdi", "qcow2" })
        {
            var result = await CpsImage.RunAsync("convert", "--to", format, temp.File("disk.raw"), temp.File($"disk.{format}"));
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Images are identical", HostTool.Run("qemu-img", "compare", temp.File("disk.raw"), temp.File($"disk.{format}")));
            var inspect = await CpsImage.RunAsync("inspect", temp.File($"disk.{format}"));
            Assert.Contains($"format:       {format}", inspect.StandardOutput);
            Assert.Contains("aligned to 4 MiB", inspect.StandardOutput);
        }
    }

    [Fact]
    public async Task UnknownFormatIsAClearError()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("disk.raw"), new byte[1 << 20]);
        CpsImage.AssertCleanError(await CpsImage.RunAsync("convert", "--to", "vhdx", temp.File("disk.raw"), temp.File("out")), "unknown image format 'vhdx'");
        Assert.False(File.Exists(temp.File("out")));
    }

    [Fact]
    public async Task TruncatedVmdkAndCorruptGptAreClearErrorsFromInspect()
    {
        using var temp = new TempDirectory();
        WriteLayout(temp, "table: gpt\nsize: 32MiB\npartitions:\n  - { name: root, size: rest }\n");
        await CpsImage.RunAsync("layout", temp.File("layout.yaml"), temp.File("disk.raw"));
        await CpsImage.RunAsync("convert", "--to", "vmdk", temp.File("disk.raw"), temp.File("disk.vmdk"));

        var vmdk = File.ReadAllBytes(temp.File("disk.vmdk"));
        File.WriteAllBytes(temp.File("truncated.vmdk"), vmdk[..(vmdk.Length - 1024)]);
        CpsImage.AssertCleanError(await CpsImage.RunAsync("inspect", temp.File("truncated.vmdk")), "VMDK footer");
        // A grain directory offset (at byte 56) of 2^63 sectors: refused by name, not "Arithmetic operation resulted in an overflow".
        var far = vmdk.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(far.AsSpan(56), 0x8000000000000000);
        File.WriteAllBytes(temp.File("far.vmdk"), far);
        CpsImage.AssertCleanError(await CpsImage.RunAsync("inspect", temp.File("far.vmdk")), "grain directory offset 9223372036854775808 (at byte 56) points beyond any file");

        var raw = File.ReadAllBytes(temp.File("disk.raw"));
        raw[512 + 60] ^= 0xFF;
        File.WriteAllBytes(temp.File("corrupt.raw"), raw);
        CpsImage.AssertCleanError(await CpsImage.RunAsync("inspect", temp.File("corrupt.raw")), "GPT primary header (LBA 1): header CRC32");

        CpsImage.AssertCleanError(await CpsImage.RunAsync("inspect", temp.File("absent.raw")), "no such file");
    }

    [Fact]
    public async Task OvaThenVerifyAndACorruptedOvaFails()
    {
        using var temp = new TempDirectory();
        await LayoutDiskAsync(temp);
        File.WriteAllText(temp.File("vm.yaml"), "name: test-vm\ncpus: 2\nmemory-mb: 512\nnics:\n  - attachment: nat\n  - { attachment: host-only, network: vboxnet0 }\n");

        var pack = await CpsImage.RunAsync("ova", "--hardware", temp.File("vm.yaml"), "--disk", temp.File("disk.raw"), temp.File("vm.ova"));
        Assert.Equal(0, pack.ExitCode);
        var verify = await CpsImage.RunAsync("verify", temp.File("vm.ova"));
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("vm.ova: valid", verify.StandardOutput);

        var bytes = File.ReadAllBytes(temp.File("vm.ova"));
        bytes[^5000] ^= 0x40;
        File.WriteAllBytes(temp.File("bad.ova"), bytes);
        var bad = await CpsImage.RunAsync("verify", temp.File("bad.ova"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("FAIL  digest mismatch for 'vm-disk1.vmdk'", bad.StandardError);
    }

    [Fact]
    public async Task HelpListsEverySubcommand()
    {
        var help = await CpsImage.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "layout", "convert", "inspect", "ova", "verify" }) Assert.Contains(command, help.StandardOutput);
    }
}
