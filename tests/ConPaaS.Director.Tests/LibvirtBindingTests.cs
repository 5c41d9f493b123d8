using ConPaaS.Director.Cloud.Libvirt;

namespace ConPaaS.Director.Tests;

/// <summary>
/// Our binding against the real libvirt.so.0, on libvirt's built-in test hypervisor (<c>test:///default</c>: a fake
/// host with one running domain called "test", fresh for every connection, no daemon). libvirt parses the XML, keeps
/// the states and writes the error messages; we only check that what we call gives what libvirt says.
/// </summary>
public class LibvirtBindingTests
{
    private const string Domain = """
        <domain type='test'>
          <name>conpaas-probe</name>
          <memory unit='MiB'>64</memory>
          <os><type>hvm</type></os>
        </domain>
        """;

    [Fact]
    public void The_test_hosts_domain_is_listed_found_stopped_and_started()
    {
        using var libvirt = LibvirtConnection.Open("test:///default");
        var names = libvirt.Domains().Select(d => { using (d) return d.Name; }).ToList();
        Assert.Equal(["test"], names);
        using var domain = libvirt.Find("test")!;
        Assert.True(domain.IsActive);
        domain.Destroy();
        Assert.False(domain.IsActive);
        domain.Start();
        Assert.True(domain.IsActive);
        Assert.Null(libvirt.Find("nosuch"));
    }

    [Fact]
    public void A_defined_domain_runs_stops_and_goes_away()
    {
        using var libvirt = LibvirtConnection.Open("test:///default");
        using (var defined = libvirt.Define(Domain))
        {
            Assert.Equal("conpaas-probe", defined.Name);
            Assert.True(defined.IsPersistent);
            Assert.False(defined.IsActive);
            // libvirt's own rendering of what it keeps: it gave the domain a UUID of its own.
            Assert.Matches("<uuid>[0-9a-f-]{36}</uuid>", defined.Xml);
            defined.Start();
        }
        using (var found = libvirt.Find("conpaas-probe")!)
        {
            Assert.True(found.IsActive);
            found.Destroy();
            found.Undefine();
        }
        Assert.Null(libvirt.Find("conpaas-probe"));

        using var transient = libvirt.CreateTransient(Domain);
        Assert.True(transient.IsActive);
        Assert.False(transient.IsPersistent);
        transient.Destroy();
        Assert.Null(libvirt.Find("conpaas-probe"));
    }

    [Fact]
    public void Failures_carry_libvirts_own_message()
    {
        var unreachable = Assert.Throws<LibvirtException>(() => LibvirtConnection.Open("nosuch:///system"));
        Assert.StartsWith("cannot connect to nosuch:///system: ", unreachable.Message);

        using var libvirt = LibvirtConnection.Open("test:///default");
        const string Cut = "<domain type='test'><name>x</name>";
        var malformed = Assert.Throws<LibvirtException>(() => libvirt.Define(Cut));
        // virsh, libvirt's own client, says the same of the same XML.
        using var scratch = new ConPaaS.Testing.TempDirectory();
        File.WriteAllText(scratch.File("cut.xml"), Cut);
        var virsh = ConPaaS.Testing.HostTool.Try("virsh", "-c", "test:///default", "define", scratch.File("cut.xml")).StandardError;
        var said = virsh.Split('\n').Single(l => l.StartsWith("error: (", StringComparison.Ordinal))["error: ".Length..];
        Assert.StartsWith($"cannot define the domain: {said}\n", malformed.Message);
        using var twice = libvirt.CreateTransient(Domain);
        var duplicate = Assert.Throws<LibvirtException>(() => libvirt.CreateTransient(Domain));
        Assert.Contains("conpaas-probe", duplicate.Message);
        Assert.Contains("already", duplicate.Message);
    }

    [Fact]
    public void A_device_refused_by_the_hypervisor_says_what_libvirt_says()
    {
        // The test hypervisor cannot add devices to a running domain; the LXC driver can (the Nutshell test adds a
        // volume's disk). The refusal is libvirt's, word for word as virsh shows it.
        using var libvirt = LibvirtConnection.Open("test:///default");
        using var domain = libvirt.Find("test")!;
        const string Disk = "<disk type='block' device='disk'><source dev='/dev/null'/><target dev='sdb' bus='virtio'/></disk>";
        var refused = Assert.Throws<LibvirtException>(() => domain.AttachDevice(Disk));
        using var scratch = new ConPaaS.Testing.TempDirectory();
        File.WriteAllText(scratch.File("disk.xml"), Disk);
        var virsh = ConPaaS.Testing.HostTool.Try("virsh", "-c", "test:///default", "attach-device", "test", scratch.File("disk.xml"), "--live").StandardError;
        var said = virsh.Split('\n').Last(l => l.StartsWith("error: ", StringComparison.Ordinal))["error: ".Length..];
        Assert.Equal($"cannot add a device to test: {said}", refused.Message.Split('\n')[0]);
    }

    [Theory]
    [InlineData("vol-00000001", "sda")]
    [InlineData("vol-00000002", "sdb")]
    [InlineData("vol-00000026", "sdz")]
    [InlineData("vol-00000027", "sdaa")]
    [InlineData("vol-00000703", "sdaaa")]
    public void A_volume_gets_a_disk_name_of_its_own(string volume, string disk) =>
        Assert.Equal(disk, ConPaaS.Director.Cloud.LibvirtDriver.DiskTarget(volume));
}
