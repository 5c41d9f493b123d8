namespace ConPaaS.Director.Cloud;

/// <summary>What a node is for: the director fills this in, the driver turns it into a VM, a container or a process.</summary>
/// <param name="Program">cpsmanager or cpsagent.</param>
/// <param name="Context">The node's contextualization: an INI file the program reads on start (ConPaaS's config.cfg).</param>
public sealed record NodeRequest(string Vmid, string Role, long AppId, long ServiceId, string Cloud, string Program,
    string CertificatePem, string KeyPem, string CaPem, Func<string, int, string> Context);

/// <summary>A node the driver started: where it listens.</summary>
public sealed record Node(string Vmid, string Ip, int Port);

/// <summary>A volume attached as a block device: the node mounts <paramref name="Device"/> at <paramref name="MountPoint"/>.</summary>
public sealed record AttachedDevice(string Device, string MountPoint);

/// <summary>
/// A cloud the director starts nodes in. Drivers place and stop nodes and keep each application's manager state
/// (one directory or disk per application, given to every manager it starts: STATE_DIR in the node's context); ids, states, charging and
/// certificates stay with the director, so services never know which driver ran them.
/// </summary>
public interface ICloudDriver : IAsyncDisposable
{
    string Name { get; }

    Task<Node> StartAsync(NodeRequest request, CancellationToken cancellationToken);

    /// <summary>Stops the node; stopping one that is already gone is not an error.</summary>
    Task StopAsync(string vmid);

    bool IsRunning(string vmid);

    /// <summary>Granularity of volume sizes in MB; requests are rounded up to a multiple of it.</summary>
    int VolumeUnitMb { get; }

    /// <summary>Makes an empty formatted volume; <paramref name="id"/> is unique within the deployment.</summary>
    Task CreateVolumeAsync(string id, long sizeMb, CancellationToken cancellationToken);

    Task DestroyVolumeAsync(string id);

    /// <summary>Makes the volume visible to the node as <paramref name="name"/>: a file at volumes/NAME in its root
    /// (null), or a block device for the node to mount (the device and where).</summary>
    Task<AttachedDevice?> AttachVolumeAsync(string id, string vmid, string name);

    Task DetachVolumeAsync(string id, string vmid, string name);

    /// <summary>Forgets what the application's managers kept (code, repository, keys) once it is deleted.</summary>
    Task DeleteApplicationStateAsync(long appId);

    /// <summary>Problems a check should report (a missing program, an unusable network), empty when fine.</summary>
    IEnumerable<string> Check();
}

/// <summary>The driver [iaas] DRIVER names.</summary>
public static class CloudDrivers
{
    public static ICloudDriver Create(DirectorSettings settings, ILoggerFactory loggers) => settings.Driver switch
    {
        "libvirt" => new LibvirtDriver(settings, loggers.CreateLogger<LibvirtDriver>()),
        _ => new LocalDriver(settings, loggers.CreateLogger<LocalDriver>()),
    };
}
