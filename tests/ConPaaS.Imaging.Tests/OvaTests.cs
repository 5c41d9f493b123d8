using System.Formats.Tar;
using System.Text;
using System.Xml;
using ConPaaS.Imaging.Ova;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

public class OvaTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static readonly VmHardware Nutshell = new()
    {
        Name = "ConPaaS-Nutshell",
        Cpus = 2,
        MemoryMb = 4096,
        Nics = [new Nic(NicAttachment.Nat), new Nic(NicAttachment.HostOnly, "vboxnet0")],
    };

    private static string Pack(TempDirectory temp, string name = "nutshell.ova")
    {
        var raw = TestDisks.WriteRaw(temp, "disk.raw", TestDisks.Pattern(16 << 20, seed: 9));
        var ova = temp.File(name);
        OvaPackager.Create(ova, Nutshell, [raw], Epoch);
        return ova;
    }

    [Fact]
    public void TarListsTheOvfFirstTheManifestSecondThenTheDisk()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var listing = HostTool.Run("tar", "tvf", ova).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, listing.Length);
        Assert.EndsWith(" nutshell.ovf", listing[0]);
        Assert.EndsWith(" nutshell.mf", listing[1]);
        Assert.EndsWith(" nutshell-disk1.vmdk", listing[2]);
        Assert.Contains("2023-11-14", listing[0]);
        var header = new byte[512];
        using (var file = File.OpenRead(ova)) file.ReadExactly(header);
        Assert.Equal("ustar\000", Encoding.ASCII.GetString(header, 257, 8)); // POSIX ustar, not GNU
        Assert.True(OvaVerifier.Verify(ova).Ok);
    }

    [Fact]
    public void ManifestDigestsMatchWhatSha256sumComputes()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var extracted = temp.File("x");
        Directory.CreateDirectory(extracted);
        HostTool.Run("tar", "xf", ova, "-C", extracted);
        foreach (var line in File.ReadAllLines(Path.Combine(extracted, "nutshell.mf")))
        {
            var name = line[7..line.IndexOf(')')];
            var sum = HostTool.Run("sha256sum", Path.Combine(extracted, name)).Split(' ')[0];
            Assert.Equal($"SHA256({name})= {sum}", line);
        }
        Assert.Contains("Images are identical", HostTool.Run("qemu-img", "compare", temp.File("disk.raw"), Path.Combine(extracted, "nutshell-disk1.vmdk")));
    }

    [Fact]
    public void OvfDescribesTheNutshellHardwareAndHostOnlyInterface()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        using var tar = new TarReader(File.OpenRead(ova));
        var ovf = new XmlDocument();
        ovf.Load(tar.GetNextEntry()!.DataStream!);
        var ns = new XmlNamespaceManager(ovf.NameTable);
        ns.AddNamespace("ovf", OvfDescriptor.OvfNs);
        ns.AddNamespace("rasd", OvfDescriptor.RasdNs);
        ns.AddNamespace("vbox", OvfDescriptor.VboxNs);
        string Quantity(int type) => ovf.SelectSingleNode($"//ovf:Item[rasd:ResourceType='{type}']/rasd:VirtualQuantity", ns)!.InnerText;
        Assert.Equal("2", Quantity(3));
        Assert.Equal("4096", Quantity(4));
        Assert.Equal(["NAT", "HostOnly"], ovf.SelectNodes("//ovf:Item[rasd:ResourceType='10']/rasd:Connection", ns)!.Cast<XmlNode>().Select(n => n.InnerText));
        Assert.Equal("AHCI", ovf.SelectSingleNode("//ovf:Item[rasd:ResourceType='20']/rasd:ResourceSubType", ns)!.InnerText);
        Assert.Equal("vboxnet0", ovf.SelectSingleNode("//vbox:Machine//ovf:Adapter[@slot='1']/ovf:HostOnlyInterface/@name", ns)!.Value);
        var diskUuid = ovf.SelectSingleNode("//ovf:Disk/@vbox:uuid", ns)!.Value;
        Assert.Equal($"{{{diskUuid}}}", ovf.SelectSingleNode("//vbox:Machine//ovf:AttachedDevice/ovf:Image/@uuid", ns)!.Value);
        Assert.Equal("96", ovf.SelectSingleNode("//ovf:OperatingSystemSection/@ovf:id", ns)!.Value);
    }

    [Fact]
    public void SameInputsGiveIdenticalBytes()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("a"));
        Directory.CreateDirectory(temp.File("b"));
        var first = Pack(temp, "a/nutshell.ova");
        var second = Pack(temp, "b/nutshell.ova");
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void CorruptManifestFailsVerification()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var bytes = File.ReadAllBytes(ova);
        var at = IndexOf(bytes, "SHA256(nutshell-disk1.vmdk)= "u8.ToArray()) + 29;
        bytes[at] = (byte)(bytes[at] == (byte)'0' ? '1' : '0');
        File.WriteAllBytes(ova, bytes);
        var report = OvaVerifier.Verify(ova);
        Assert.Contains(report.Problems, p => p.StartsWith("digest mismatch for 'nutshell-disk1.vmdk'"));
    }

    [Fact]
    public void CorruptDiskFailsVerification()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var bytes = File.ReadAllBytes(ova);
        bytes[^8000] ^= 0x01; // inside the disk member's data
        File.WriteAllBytes(ova, bytes);
        Assert.Contains(OvaVerifier.Verify(ova).Problems, p => p.StartsWith("digest mismatch for 'nutshell-disk1.vmdk'"));
    }

    [Fact]
    public void WrongMemberOrderFailsVerification()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var extracted = temp.File("x");
        Directory.CreateDirectory(extracted);
        HostTool.Run("tar", "xf", ova, "-C", extracted);
        var reordered = temp.File("reordered.ova");
        HostTool.Run("tar", "--format=ustar", "-cf", reordered, "-C", extracted, "nutshell-disk1.vmdk", "nutshell.ovf", "nutshell.mf");
        var report = OvaVerifier.Verify(reordered);
        Assert.Contains(report.Problems, p => p.StartsWith("the first member must be the .ovf descriptor"));
        Assert.Contains(report.Problems, p => p.StartsWith("the second member must be the .mf manifest"));
    }

    [Fact]
    public void HostileMemberNamesAndNonTarFilesFailVerification()
    {
        using var temp = new TempDirectory();
        var hostile = temp.File("hostile.ova");
        using (var tar = new TarWriter(File.Create(hostile), TarEntryFormat.Ustar))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "x.ovf") { DataStream = new MemoryStream("<Envelope/>"u8.ToArray()) });
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "../../etc/evil.mf") { DataStream = new MemoryStream() });
            tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "disk.vmdk") { LinkName = "/etc/shadow" });
        }
        var report = OvaVerifier.Verify(hostile);
        Assert.Contains(report.Problems, p => p.Contains("'../../etc/evil.mf': unsafe name"));
        Assert.Contains(report.Problems, p => p.Contains("'disk.vmdk': is a SymbolicLink"));
        Assert.Contains(report.Problems, p => p.Contains("not an OVF 1.0 Envelope"));

        File.WriteAllBytes(temp.File("noise.ova"), TestDisks.Pattern(1 << 16, seed: 3));
        Assert.False(OvaVerifier.Verify(temp.File("noise.ova")).Ok);
    }

    [Fact]
    public void A_capacity_or_size_that_is_not_a_number_fails_verification_even_with_a_correct_manifest()
    {
        using var temp = new TempDirectory();
        var ova = Pack(temp);
        var extracted = temp.File("x");
        Directory.CreateDirectory(extracted);
        HostTool.Run("tar", "xf", ova, "-C", extracted);
        var ovf = Path.Combine(extracted, "nutshell.ovf");
        var text = File.ReadAllText(ovf);
        var capacity = System.Text.RegularExpressions.Regex.Match(text, "ovf:capacity=\"(\\d+)\"").Groups[1].Value;
        Assert.NotEmpty(capacity);
        File.WriteAllText(ovf, text.Replace($"ovf:capacity=\"{capacity}\"", "ovf:capacity=\"99999999999999999999999\""));
        // The manifest is made right again with sha256sum, so only the value itself can be the problem.
        var digest = HostTool.Run("sha256sum", ovf).Split(' ')[0];
        var manifest = Path.Combine(extracted, "nutshell.mf");
        File.WriteAllLines(manifest, File.ReadAllLines(manifest).Select(l => l.StartsWith("SHA256(nutshell.ovf)= ") ? $"SHA256(nutshell.ovf)= {digest}" : l));
        var edited = temp.File("edited.ova");
        HostTool.Run("tar", "--format=ustar", "-cf", edited, "-C", extracted, "nutshell.ovf", "nutshell.mf", "nutshell-disk1.vmdk");
        var report = OvaVerifier.Verify(edited);
        Assert.Contains(report.Problems, p => p == "the OVF's capacity of 'nutshell-disk1.vmdk' is '99999999999999999999999', not a number of bytes");
        Assert.DoesNotContain(report.Problems, p => p.StartsWith("digest mismatch"));
    }

    [Fact]
    public void HardwareDescriptionErrorsNameFileAndLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => VmHardware.FromYaml(Common.YamlMap.Parse(
            "name: n\ncpus: 2\nnics:\n  - attachment: host-only\n", "vm.yaml")));
        Assert.StartsWith("vm.yaml:4: network: a host-only adapter needs the host network's name", error.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
