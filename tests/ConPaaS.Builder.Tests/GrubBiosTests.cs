using System.Buffers.Binary;
using ConPaaS.Builder.Boot;

namespace ConPaaS.Builder.Tests;

/// <summary>The boot sector and core image patches, checked field by field against GRUB's own layout.</summary>
public class GrubBiosTests
{
    [Fact]
    public void PatchPointsTheBootSectorAtTheCoreImageAndTheCoreImageAtItsSectors()
    {
        var boot = File.ReadAllBytes(Path.Combine(GrubBios.ModuleDirectory, "boot.img"));
        var core = new byte[27022];
        File.ReadAllBytes(Path.Combine(GrubBios.ModuleDirectory, "diskboot.img")).CopyTo(core, 0);

        var (bootCode, coreImage) = GrubBios.Patch(boot, core);

        Assert.Equal(440, bootCode.Length);
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bootCode.AsSpan(0x5C)));
        Assert.Equal(0xFF, bootCode[0x64]);
        Assert.Equal([0x90, 0x90], bootCode[0x66..0x68]);
        Assert.Equal(53 * 512, coreImage.Length);
        var blocklist = coreImage.AsSpan(512 - 12, 12);
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(blocklist));
        Assert.Equal(52, BinaryPrimitives.ReadUInt16LittleEndian(blocklist[8..]));
        Assert.Equal(0x820, BinaryPrimitives.ReadUInt16LittleEndian(blocklist[10..]));
        Assert.Equal(boot[..0x5C], bootCode[..0x5C]); // the code itself is untouched
    }
}
