using System.Globalization;
using System.Net;
using ConPaaS.Platform.Configuration;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// The libvirt driver's part of [iaas] (DRIVER = libvirt): where libvirt is (LIBVIRT_URI, lxc:/// by default), the
/// read-only root filesystem every container starts from (LIBVIRT_BASE, the services container image unpacked), the
/// bridge containers join (LIBVIRT_BRIDGE), and their addresses: LIBVIRT_POOL (first-last), LIBVIRT_PREFIX and
/// LIBVIRT_GATEWAY, the seeds' "IP address space" in one place.
/// </summary>
public sealed record LibvirtSettings(string Uri, string BaseDirectory, string Bridge, IPAddress PoolFirst, IPAddress PoolLast,
    int PrefixLength, IPAddress Gateway, int MemoryMb)
{
    /// <summary>
    /// LIBVIRT_BASE_ARCHIVE: the container image as a tar.xz on the director's machine, which the driver installs at
    /// LIBVIRT_BASE on the container host when that holds another (or none): a Pi gets its containers' base from the
    /// backend that drives it, always the one matching the backend's director. Unset: LIBVIRT_BASE is the host's own.
    /// </summary>
    public string? BaseArchive { get; init; }

    public static LibvirtSettings From(IniFile file)
    {
        string Get(string key, string fallback) => file.Get("iaas", key) is { Length: > 0 } value ? value : fallback;
        InvalidDataException Bad(string key, string value, string what) => new($"{file.Source}: [iaas] {key} = '{value}' {what}");
        IPAddress Address(string key, string text) =>
            IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? address : throw Bad(key, text, "is not an IPv4 address");
        int Number(string key, string fallback, int min, int max)
        {
            var text = Get(key, fallback);
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value : throw Bad(key, text, $"is not a whole number from {min} to {max}");
        }

        var pool = Get("LIBVIRT_POOL", "192.168.56.10-192.168.56.99");
        var ends = pool.Split('-', StringSplitOptions.TrimEntries);
        if (ends.Length != 2) throw Bad("LIBVIRT_POOL", pool, "is not a range such as 192.168.56.10-192.168.56.99");
        var (first, last) = (Address("LIBVIRT_POOL", ends[0]), Address("LIBVIRT_POOL", ends[1]));
        if (ToNumber(first) > ToNumber(last)) throw Bad("LIBVIRT_POOL", pool, "ends before it starts");
        return new LibvirtSettings(
            Get("LIBVIRT_URI", "lxc:///"),
            Get("LIBVIRT_BASE", "/var/lib/conpaas/container"),
            Get("LIBVIRT_BRIDGE", "br0"),
            first, last,
            Number("LIBVIRT_PREFIX", "24", 8, 30),
            Address("LIBVIRT_GATEWAY", Get("LIBVIRT_GATEWAY", "192.168.56.2")),
            Number("LIBVIRT_MEMORY_MB", "512", 64, 65536))
        {
            BaseArchive = Get("LIBVIRT_BASE_ARCHIVE", "") is { Length: > 0 } archive ? archive : null,
        };
    }

    /// <summary>
    /// Where libvirt is, when it is on another machine reached through SSH (lxc+ssh://root@172.16.0.11/, a Pi):
    /// ssh's destination (user@host) and port; null for a local URI. The node host's commands go the same way.
    /// </summary>
    public (string Destination, int Port)? SshHost
    {
        get
        {
            if (!System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) || !uri.Scheme.EndsWith("+ssh", StringComparison.Ordinal) || uri.Host.Length == 0) return null;
            var user = uri.UserInfo.Length > 0 ? System.Uri.UnescapeDataString(uri.UserInfo) + "@" : "";
            return (user + uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 22 : uri.Port);
        }
    }

    /// <summary>The pool's addresses in order.</summary>
    public IEnumerable<IPAddress> Pool
    {
        get
        {
            for (var n = ToNumber(PoolFirst); n <= ToNumber(PoolLast); n++) yield return FromNumber(n);
        }
    }

    private static uint ToNumber(IPAddress address) => BitConverter.ToUInt32(address.GetAddressBytes().Reverse().ToArray());

    private static IPAddress FromNumber(uint number) => new(BitConverter.GetBytes(number).Reverse().ToArray());
}
