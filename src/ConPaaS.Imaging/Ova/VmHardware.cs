using ConPaaS.Imaging.Common;

namespace ConPaaS.Imaging.Ova;

public enum NicAttachment
{
    Nat,
    HostOnly,
    Bridged,
    Internal,
}

public enum NicAdapter
{
    E1000,
    Virtio,
}

public enum DiskController
{
    Sata,
    Ide,
}

/// <param name="Network">The host network: the host-only interface (vboxnet0), bridged host NIC or internal network name.</param>
public sealed record Nic(NicAttachment Attachment, string? Network = null, NicAdapter Adapter = NicAdapter.E1000);

/// <summary>The virtual machine an .ova describes: what VirtualBox creates on import.</summary>
public sealed record VmHardware
{
    public required string Name { get; init; }

    /// <summary>VirtualBox's OS type id, e.g. Debian_64.</summary>
    public string OsType { get; init; } = "Debian_64";

    public int Cpus { get; init; } = 1;

    public int MemoryMb { get; init; } = 1024;

    public DiskController DiskController { get; init; } = DiskController.Sata;

    public IReadOnlyList<Nic> Nics { get; init; } = [new(NicAttachment.Nat)];

    /// <summary>
    /// Reads a hardware description:
    /// <code>
    /// name: ConPaaS-Nutshell
    /// os-type: Debian_64
    /// cpus: 2
    /// memory-mb: 4096
    /// disk-controller: sata
    /// nics:
    ///   - attachment: nat
    ///   - { attachment: host-only, network: vboxnet0 }
    /// </code>
    /// </summary>
    public static VmHardware FromYaml(YamlMap map)
    {
        map.RejectUnknownKeys("name", "os-type", "cpus", "memory-mb", "disk-controller", "nics");
        var hardware = new VmHardware
        {
            Name = map.RequireString("name"),
            OsType = map.String("os-type") ?? "Debian_64",
            Cpus = map.Int("cpus") ?? 1,
            MemoryMb = map.Int("memory-mb") ?? 1024,
            DiskController = map.Enum<DiskController>("disk-controller") ?? DiskController.Sata,
            Nics = map.Has("nics") ? map.Maps("nics").Select(ReadNic).ToList() : [new Nic(NicAttachment.Nat)],
        };
        if (hardware.Cpus is < 1 or > 64) throw map.Error("cpus", $"{hardware.Cpus} is not between 1 and 64");
        if (hardware.MemoryMb is < 4 or > 2 * 1024 * 1024) throw map.Error("memory-mb", $"{hardware.MemoryMb} is not a plausible memory size in MB");
        if (hardware.Nics.Count > 8) throw map.Error("nics", "VirtualBox offers at most 8 network adapters");
        if (hardware.Name.Any(c => char.IsControl(c) || c is '/' or '\\')) throw map.Error("name", "must not contain slashes or control characters");
        return hardware;
    }

    public static VmHardware Load(string path) => FromYaml(YamlMap.Load(path));

    private static Nic ReadNic(YamlMap map)
    {
        map.RejectUnknownKeys("attachment", "network", "adapter");
        var attachment = map.Enum<NicAttachment>("attachment") ?? throw map.Error("attachment", "is required (nat, host-only, bridged or internal)");
        var network = map.String("network");
        if (attachment is NicAttachment.HostOnly or NicAttachment.Bridged or NicAttachment.Internal && network is null)
            throw map.Error("network", $"a {YamlMap.Kebab(attachment.ToString())} adapter needs the host network's name (e.g. vboxnet0)");
        return new Nic(attachment, network, map.Enum<NicAdapter>("adapter") ?? NicAdapter.E1000);
    }
}
