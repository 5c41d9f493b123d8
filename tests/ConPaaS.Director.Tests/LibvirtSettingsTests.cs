using ConPaaS.Platform.Configuration;

namespace ConPaaS.Director.Tests;

/// <summary>[iaas] for the libvirt driver: the seeds' address space by default, and mistakes named by key.</summary>
public class LibvirtSettingsTests
{
    private static DirectorSettings Load(string iaas)
    {
        using var directory = new ConPaaS.Testing.TempDirectory();
        File.WriteAllText(directory.File("director.cfg"), $"[iaas]\nDRIVER = libvirt\n{iaas}");
        return DirectorSettings.From(IniFile.Load(directory.File("director.cfg")));
    }

    [Fact]
    public void The_defaults_are_the_nutshells_address_space()
    {
        var libvirt = Load("").Libvirt!;
        Assert.Equal("lxc:///", libvirt.Uri);
        Assert.Equal("br0", libvirt.Bridge);
        Assert.Equal(90, libvirt.Pool.Count());
        Assert.Equal("192.168.56.10", libvirt.Pool.First().ToString());
        Assert.Equal("192.168.56.99", libvirt.Pool.Last().ToString());
        Assert.Equal("192.168.56.2", libvirt.Gateway.ToString());
    }

    [Theory]
    [InlineData("LIBVIRT_POOL = 192.168.56.99-192.168.56.10", "[iaas] LIBVIRT_POOL = '192.168.56.99-192.168.56.10' ends before it starts")]
    [InlineData("LIBVIRT_POOL = 192.168.56.10", "[iaas] LIBVIRT_POOL = '192.168.56.10' is not a range")]
    [InlineData("LIBVIRT_GATEWAY = gateway", "[iaas] LIBVIRT_GATEWAY = 'gateway' is not an IPv4 address")]
    [InlineData("LIBVIRT_PREFIX = 33", "[iaas] LIBVIRT_PREFIX = '33' is not a whole number from 8 to 30")]
    public void Mistakes_are_named_by_key(string line, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Load(line + "\n"));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("lxc:///", null, 0)]
    [InlineData("qemu:///system", null, 0)]
    [InlineData("lxc+ssh://root@172.16.0.11/", "root@172.16.0.11", 22)]
    [InlineData("lxc+ssh://pi@172.16.0.12:2222/?keyfile=/k", "pi@172.16.0.12", 2222)]
    [InlineData("lxc+ssh://172.16.0.13/", "172.16.0.13", 22)]
    public void A_remote_uri_names_the_ssh_destination(string uri, string? destination, int port)
    {
        var host = Load($"LIBVIRT_URI = {uri}\n").Libvirt!.SshHost;
        Assert.Equal(destination, host?.Destination);
        if (destination is not null) Assert.Equal(port, host!.Value.Port);
    }

    [Fact]
    public void A_slow_cloud_gives_its_nodes_longer_to_start()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Load("").NodeStartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(900), Load("NODE_START_TIMEOUT = 900\n").NodeStartTimeout);
        Assert.Contains("[iaas] NODE_START_TIMEOUT", Assert.Throws<InvalidDataException>(() => Load("NODE_START_TIMEOUT = 5\n")).Message);
    }

    [Fact]
    public void A_base_archive_is_optional()
    {
        Assert.Null(Load("").Libvirt!.BaseArchive);
        Assert.Equal("/var/lib/conpaas/pi.tar.xz", Load("LIBVIRT_BASE_ARCHIVE = /var/lib/conpaas/pi.tar.xz\n").Libvirt!.BaseArchive);
    }
}
