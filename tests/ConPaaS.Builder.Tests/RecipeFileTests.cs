using ConPaaS.Builder.Recipes;
using ConPaaS.Testing;

namespace ConPaaS.Builder.Tests;

public class RecipeFileTests
{
    internal const string Valid = """
        name: test-vm
        packages: [linux-image-amd64, sudo, openssh-server]
        hostname: test
        users:
          - { name: stack, password: contrail, sudo: true }
        network:
          - { interface: eth0, dhcp: true }
          - { interface: eth1, address: 192.168.56.2/24 }
        disk:
          table: mbr
          size: 2GiB
          partitions:
            - { name: root, type: linux, size: rest }
        boot: grub-bios
        outputs: [ova, qcow2]
        hardware:
          name: test-vm
          cpus: 2
          memory-mb: 1024
        """;

    internal static Recipe Load(TempDirectory temp, string yaml)
    {
        File.WriteAllText(temp.File("recipe.yaml"), yaml);
        return RecipeFile.Load(temp.File("recipe.yaml"), temp.Path);
    }

    [Fact]
    public void TheRepositoryRecipesAreValid()
    {
        var root = Repository.Root;
        foreach (var recipe in new[] { "appliance/nutshell/recipe.yaml", "images/service/recipe.yaml", "images/container/recipe.yaml", "rpi/image/recipe.yaml", "rpi/backend/recipe.yaml", "rpi/container/recipe.yaml" })
            Assert.NotNull(RecipeFile.Load(Path.Combine(root, recipe), root));
        var nutshell = RecipeFile.Load(Path.Combine(root, "appliance/nutshell/recipe.yaml"), root);
        Assert.Equal("nutshell", nutshell.Hostname);
        Assert.Equal(2, nutshell.Hardware!.Cpus);
        Assert.Equal(4096, nutshell.Hardware.MemoryMb);
        Assert.Contains(nutshell.Users, u => u is { Name: "stack", Password: "contrail", Sudo: true });
        Assert.Contains(nutshell.Network, n => n is { Interface: "eth0", Dhcp: true });
        // 192.168.56.2 is on the bridge eth1 carries, configured by the overlay's networkd files.
        Assert.Contains("Address=192.168.56.2/24", File.ReadAllText(Path.Combine(root, "appliance/nutshell/overlay/etc/systemd/network/20-br0.network")));
        Assert.Contains(nutshell.Payloads, p => p is { Target: "/var/lib/conpaas/container", Unpack: true });
    }

    [Fact]
    public void ReadsAValidRecipe()
    {
        using var temp = new TempDirectory();
        var recipe = Load(temp, Valid);
        Assert.Equal([OutputFormat.Ova, OutputFormat.Qcow2], recipe.Outputs);
        Assert.Equal(BootLoader.GrubBios, recipe.Boot);
        Assert.True(recipe.Network[0].Dhcp);
    }

    [Fact]
    public void PlansTheDiskOnceWithTheRootPartitionByReference()
    {
        using var temp = new TempDirectory();
        var recipe = Load(temp, Valid.Replace("- { name: root, type: linux, size: rest }", "- { name: swap, type: swap, size: 256MiB }\n    - { name: root, type: linux, size: rest }"));
        var layout = recipe.Layout!;
        Assert.Same(layout.Root, layout.Plan.Partitions[1]);
        Assert.Equal(2, layout.Root.Number);
        Assert.Equal(Stages.CustomizeStage.RootSize(recipe), layout.Root.Size);
        // The identifiers come from the recipe's name, as the disk the image stage writes always had them.
        var planned = Imaging.Layout.LayoutPlanner.Plan(recipe.Disk! with { Seed = recipe.Name });
        Assert.Equal(planned.MbrDiskId, layout.Plan.MbrDiskId);
        Assert.Equal(planned.Partitions, layout.Plan.Partitions);
        var withImage = layout.WithImages(p => p == layout.Root ? "root.ext4" : null);
        Assert.Equal([null, "root.ext4"], withImage.Partitions.Select(p => p.Image));
    }

    [Fact]
    public void ThePiImageFitsTheSeedsCardOnFourMibBoundaries()
    {
        var root = Repository.Root;
        var pi = RecipeFile.Load(Path.Combine(root, "rpi/image/recipe.yaml"), root);
        Assert.Equal(("arm64", BootLoader.RaspiFirmware, OutputFormat.ImgXz), (pi.Architecture, pi.Boot, pi.Outputs.Single()));
        var plan = pi.Layout!.Plan;
        Assert.True(plan.Size <= 31_998_345_216);
        Assert.Equal(["firmware", "swap", "root"], plan.Partitions.Select(p => p.Name));
        Assert.Equal([Imaging.Layout.PartitionKind.Fat32, Imaging.Layout.PartitionKind.Swap, Imaging.Layout.PartitionKind.Linux], plan.Partitions.Select(p => p.Kind));
        Assert.All(plan.Partitions, p => Assert.Equal(0, p.Offset % (4 << 20)));
        Assert.Same(pi.Layout.Root, plan.Partitions[^1]); // last, so that it can grow to the card's end
        Assert.Contains(pi.Users, u => u is { Name: "pi", Password: "raspberry", Sudo: true });
        Assert.Contains("Address=172.16.0.11/24", File.ReadAllText(Path.Combine(root, "rpi/image/overlay/etc/systemd/network/20-br0.network")));
    }

    private const string Pi = """
        name: pi
        architecture: arm64
        components: [main, non-free-firmware]
        packages: [linux-image-arm64, raspi-firmware]
        disk:
          table: mbr
          partitions:
            - { name: firmware, type: fat32, size: 256MiB }
            - { name: root, type: linux, size: 1GiB }
        boot: raspi-firmware
        outputs: [img-xz]
        """;

    [Theory]
    [InlineData("", "")]
    [InlineData("architecture: arm64", "architecture: mips64el", "recipe.yaml:2: architecture: 'mips64el' can be neither run natively")]
    [InlineData("components: [main, non-free-firmware]", "components: [main]", "recipe.yaml:10: boot: raspi-firmware is in the non-free-firmware component")]
    [InlineData("packages: [linux-image-arm64, raspi-firmware]", "packages: [linux-image-arm64]", "boot: add raspi-firmware")]
    [InlineData("name: firmware, type: fat32", "name: firmware, type: linux", "boot: the layout needs a fat32 partition named 'firmware'")]
    [InlineData("table: mbr", "table: gpt", "boot: the Raspberry Pi's firmware reads an MBR card")]
    public void APiRecipeNeedsWhatItsFirmwareReads(string from, string to, string expected = "")
    {
        using var temp = new TempDirectory();
        if (expected == "")
        {
            Assert.Equal(BootLoader.RaspiFirmware, Load(temp, Pi).Boot);
            return;
        }
        var error = Assert.Throws<InvalidDataException>(() => Load(temp, Pi.Replace(from, to)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("hostname: test", "hostname: bad_host!", "recipe.yaml:3: hostname: 'bad_host!' is not valid")]
    [InlineData("  - { interface: eth1, address: 192.168.56.2/24 }", "  - { interface: eth1, address: 192.168.56.300/24 }", "recipe.yaml:8: address: '192.168.56.300/24' is not an address")]
    [InlineData("outputs: [ova, qcow2]", "outputs: [ova, vhdx]", "recipe.yaml:15: outputs: 'vhdx' is not one of")]
    [InlineData("packages: [linux-image-amd64, sudo, openssh-server]", "packages: [linux-image-amd64, openssh-server]", "recipe.yaml:2: packages: a user has sudo: true; add the sudo package")]
    [InlineData("- { name: root, type: linux, size: rest }", "- { name: boot, type: linux, size: rest }", "recipe.yaml:9: disk: the layout needs a linux partition named 'root'")]
    [InlineData("  size: 2GiB", "  size: 2GiB\n  max-size: 1GiB", "larger than the bound")]
    [InlineData("hostname: test", "hostname: test\noverlays: [missing]", "recipe.yaml:4: overlays: directory 'missing' does not exist")]
    [InlineData("hostname: test", "hostnme: test", "recipe.yaml:3: unknown key 'hostnme'")]
    [InlineData("hostname: test", "hostname: test\nbackports: [sudo]", "recipe.yaml:4: backports: 'sudo' is also under packages")]
    [InlineData("hostname: test", "hostname: test\nbackports: [Qemu_User]", "recipe.yaml:4: backports: 'Qemu_User' is not valid")]
    [InlineData("boot: grub-bios", "boot: grub-bios\ncontainer: true", "a container")]
    [InlineData("hostname: test", "hostname: test\npayloads: [{ source: base.tar, target: /srv/base, unpack: true, mode: \"0644\" }]", "mode: an unpacked archive keeps the modes it holds")]
    [InlineData("hostname: test", "hostname: test\npayloads: [{ source: base.tar, target: srv, unpack: true }]", "target: 'srv' must be an absolute path")]
    [InlineData("packages: [linux-image-amd64, sudo, openssh-server]", "packages: [linux-image-amd64, sudo, openssh-server, libc6:amd65]", "packages: 'amd65' (after a package's ':') is not a Debian architecture")]
    public void ErrorsNameTheFileLineAndWhatIsWrong(string from, string to, string expected)
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<InvalidDataException>(() => Load(temp, Valid.Replace(from, to)));
        Assert.Contains(expected, error.Message);
        Assert.Contains("recipe.yaml", error.Message);
    }

    [Fact]
    public void A_package_of_another_architecture_adds_that_architecture_once()
    {
        using var temp = new TempDirectory();
        var recipe = Load(temp, Valid.Replace("packages: [linux-image-amd64, sudo, openssh-server]",
            "architecture: arm64\npackages: [linux-image-arm64, sudo, openssh-server, libc6:amd64, libssl3:amd64, zlib1g:arm64]"));
        Assert.Equal(["amd64"], recipe.ExtraArchitectures);
    }
}
