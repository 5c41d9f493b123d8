using System.Collections.Concurrent;
using System.Net;
using System.Security;
using ConPaaS.Director.Cloud.Libvirt;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// The libvirt driver: each node is a container (libvirt's LXC driver, LIBVIRT_URI) booting the services container
/// image with systemd, whose cpsnode.service starts cpsmanager or cpsagent from the context written into it. Each
/// container's root is an overlay: the shared read-only base (LIBVIRT_BASE) under a directory of its own
/// (USERDATA_DIR/nodes/VMID/upper), mounted by the director at run time. Its address comes from LIBVIRT_POOL on
/// LIBVIRT_BRIDGE, written into the container as systemd-networkd's configuration. A manager also gets its
/// application's state directory at /var/lib/cpsmanager, and every node its volumes directory at /volumes, where the
/// agent mounts its volumes: each one's ext4 file on a loop device, added to the running container as a disk.
/// Containers are transient domains named DEPLOYMENT-VMID: they outlive a director restart (which finds them again
/// by name) but not a reboot of the host (their applications are then STOPPED).
/// </summary>
public sealed class LibvirtDriver : UserDataDriver, ICloudDriver
{
    /// <summary>As on the local driver; 22 is the container image's own sshd.</summary>
    public const int ManagerPort = 4443, AgentPort = 5555, GitPort = 2222;

    /// <summary>Inside the container: where the node's context goes, and a manager's application state.</summary>
    public const string ContextDirectory = "/etc/cpsnode", ManagerStateDirectory = "/var/lib/cpsmanager";


    private readonly DirectorSettings _settings;
    private readonly LibvirtSettings _libvirt;
    private readonly ILogger<LibvirtDriver> _logger;
    private readonly Lazy<LibvirtConnection> _connection;
    private readonly ConcurrentDictionary<string, IPAddress> _addresses = new();
    private IPAddress? _lastAllocated;

    public LibvirtDriver(DirectorSettings settings, ILogger<LibvirtDriver> logger) : base(settings.UserDataDir)
    {
        _settings = settings;
        _libvirt = settings.Libvirt ?? throw new InvalidOperationException("the libvirt driver needs [iaas] DRIVER = libvirt");
        _logger = logger;
        _connection = new(() => LibvirtConnection.Open(_libvirt.Uri), LazyThreadSafetyMode.ExecutionAndPublication);
        // Containers of a previous run still hold their addresses (each node's directory says which).
        if (Directory.Exists(NodesDirectory))
            foreach (var node in Directory.EnumerateDirectories(NodesDirectory))
                if (File.Exists(Path.Combine(node, "address")) && IPAddress.TryParse(File.ReadAllText(Path.Combine(node, "address")).Trim(), out var address))
                    _addresses[Path.GetFileName(node)] = address;
    }

    public string Name => "libvirt";

    private string DomainName(string vmid) => $"{_settings.DeploymentName}-{vmid}";

    public async Task<Node> StartAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        var address = Allocate(request.Vmid);
        var port = request.Role == Roles.Manager ? ManagerPort : AgentPort;
        var directory = NodeDirectory(request.Vmid);
        var root = Path.Combine(directory, "root");
        try
        {
            foreach (var part in new[] { "upper", "work", "root", "volumes" }) Directory.CreateDirectory(Path.Combine(directory, part));
            File.WriteAllText(Path.Combine(directory, "address"), address + "\n");
            await new Command("mount", "-t", "overlay", "overlay", "-o",
                    $"lowerdir={_libvirt.BaseDirectory},upperdir={Path.Combine(directory, "upper")},workdir={Path.Combine(directory, "work")}", root)
                .RunAsync(cancellationToken);
            WriteContext(request, root, address, port);
            string? state = null;
            if (request.Role == Roles.Manager) Directory.CreateDirectory(state = ApplicationState(request.AppId));
            var xml = DomainXml(DomainName(request.Vmid), root, Path.Combine(directory, "volumes"), state);
            await Task.Run(() =>
            {
                using var domain = _connection.Value.CreateTransient(xml);
            }, cancellationToken);
            _logger.LogInformation("container {Domain} ({Role}) started at {Address}:{Port}", DomainName(request.Vmid), request.Role, address, port);
            return new Node(request.Vmid, address.ToString(), port);
        }
        catch (Exception e) when (e is LibvirtException or IOException)
        {
            await CleanUpAsync(request.Vmid);
            throw new InvalidOperationException($"the libvirt driver cannot start {request.Vmid}: {e.Message}", e);
        }
        catch
        {
            await CleanUpAsync(request.Vmid);
            throw;
        }
    }

    /// <summary>
    /// The node's context in the container's own upper layer (fresh: nothing of the node's yet): node.cfg, its
    /// certificates, which program to run, and its network configuration, which takes precedence over the image's
    /// DHCP one (systemd-networkd reads the lexically first match).
    /// </summary>
    private void WriteContext(NodeRequest request, string root, IPAddress address, int port)
    {
        var context = Path.Combine(root, ContextDirectory.TrimStart('/'));
        var certificates = Path.Combine(context, "certs");
        Directory.CreateDirectory(certificates);
        File.WriteAllText(Path.Combine(certificates, "cert.pem"), request.CertificatePem);
        CertificateAuthority.WritePrivate(Path.Combine(certificates, "key.pem"), request.KeyPem);
        File.WriteAllText(Path.Combine(certificates, "ca_cert.pem"), request.CaPem);
        var managerOnly = request.Role == Roles.Manager ? $"GIT_PORT = {GitPort}\nSTATE_DIR = {ManagerStateDirectory}\n" : "";
        File.WriteAllText(Path.Combine(context, "node.cfg"), request.Context(address.ToString(), port) + managerOnly);
        File.WriteAllText(Path.Combine(context, "program"), request.Program + "\n");
        // Replaced, never written through: the base's file may be a link, which here would lead into the host.
        var network = Path.Combine(root, "etc/systemd/network/05-cpsnode.network");
        File.Delete(network);
        File.WriteAllText(network, NetworkFile(address));
        var resolver = Path.Combine(root, "etc/resolv.conf");
        File.Delete(resolver);
        if (File.Exists("/etc/resolv.conf")) File.Copy("/etc/resolv.conf", resolver);
    }

    private string NetworkFile(IPAddress address) => $"""
        # Written by the ConPaaS director's libvirt driver: this container's address from [iaas] LIBVIRT_POOL.
        [Match]
        Name=eth0

        [Network]
        Address={address}/{_libvirt.PrefixLength}
        Gateway={_libvirt.Gateway}
        # IPv4 only: waiting for IPv6 link-local addresses and router advertisements held network-online.target,
        # and with it the node's program, for 2.4 s of each container's start under emulation.
        LinkLocalAddressing=no
        IPv6AcceptRA=no

        """;

    private string DomainXml(string name, string root, string volumes, string? state)
    {
        static string Escape(string text) => SecurityElement.Escape(text);
        var stateMount = state is null ? "" : $"""
                <filesystem type='mount' accessmode='passthrough'><source dir='{Escape(state)}'/><target dir='{ManagerStateDirectory}'/></filesystem>
            """;
        return $"""
            <domain type='lxc'>
              <name>{Escape(name)}</name>
              <memory unit='MiB'>{_libvirt.MemoryMb}</memory>
              <vcpu>1</vcpu>
              <os><type>exe</type><init>/sbin/init</init></os>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>restart</on_reboot>
              <on_crash>destroy</on_crash>
              <devices>
                <filesystem type='mount' accessmode='passthrough'><source dir='{Escape(root)}'/><target dir='/'/></filesystem>
                <filesystem type='mount' accessmode='passthrough'><source dir='{Escape(volumes)}'/><target dir='/volumes'/></filesystem>
            {stateMount}    <interface type='bridge'><source bridge='{Escape(_libvirt.Bridge)}'/><guest dev='eth0'/></interface>
                <console type='pty'/>
              </devices>
            </domain>
            """;
    }

    public async Task StopAsync(string vmid)
    {
        await Task.Run(() => Destroy(DomainName(vmid)));
        await CleanUpAsync(vmid);
        _logger.LogInformation("container {Domain} stopped", DomainName(vmid));
    }

    /// <summary>
    /// Stops the container if it runs. libvirt's LXC driver has been seen to fail a destroy (in a CI run, a manager's
    /// container after a director restart; its reason was lost then, read after the domain's name had cleared it), so
    /// a failed destroy is looked at again: a container that is gone meanwhile is what was wanted, one still running
    /// is destroyed again, twice at most.
    /// </summary>
    private void Destroy(string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var domain = _connection.Value.Find(name);
            if (domain is not { IsActive: true }) return;
            try
            {
                domain.Destroy();
                return;
            }
            catch (LibvirtException e) when (attempt < 3)
            {
                _logger.LogWarning("stopping {Domain} failed ({Message}); trying again", name, e.Message);
                Thread.Sleep(TimeSpan.FromSeconds(2));
            }
        }
    }

    /// <summary>Unmounts the container's root and forgets its directory and address.</summary>
    private async Task CleanUpAsync(string vmid)
    {
        var directory = NodeDirectory(vmid);
        var root = Path.Combine(directory, "root");
        if (Common.MountTable.IsMountPoint(root)) await new Command("umount", root).RunAsync(CancellationToken.None);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        _addresses.TryRemove(vmid, out _);
    }

    /// <summary>
    /// A volume becomes a disk of the running container: its ext4 file on a loop device (set up at run time, in the
    /// Nutshell), which libvirt adds as /dev/sdX; the agent mounts it at /volumes/NAME. The agent, not the director,
    /// mounts: a mount made from outside would resolve the device's path in a namespace the container's root controls.
    /// </summary>
    public override async Task<AttachedDevice?> AttachVolumeAsync(string id, string vmid, string name)
    {
        var loop = (await new Command("losetup", "--find", "--show", VolumePath(id)).RunAsync(CancellationToken.None)).StandardOutput.Trim();
        try
        {
            using var domain = _connection.Value.Find(DomainName(vmid)) ?? throw new InvalidOperationException($"container {DomainName(vmid)} does not run");
            await Task.Run(() => domain.AttachDevice(DiskXml(loop, id)));
            _logger.LogInformation("volume {Volume} on {Loop} added to {Domain} as /dev/{Target}", id, loop, DomainName(vmid), DiskTarget(id));
            return new AttachedDevice($"/dev/{DiskTarget(id)}", $"/volumes/{name}");
        }
        catch
        {
            await new Command("losetup", "--detach", loop).RunAsync(CancellationToken.None, allowFailure: true);
            throw;
        }
    }

    /// <summary>Removes the disk from the container if it still runs, and frees the volume's loop devices.</summary>
    public override async Task DetachVolumeAsync(string id, string vmid, string name)
    {
        var listed = await new Command("losetup", "--list", "--noheadings", "--output", "NAME", "--associated", VolumePath(id)).RunAsync(CancellationToken.None);
        foreach (var loop in listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using (var domain = _connection.Value.Find(DomainName(vmid)))
                if (domain is { IsActive: true }) await Task.Run(() => domain.DetachDevice(DiskXml(loop, id)));
            await new Command("losetup", "--detach", loop).RunAsync(CancellationToken.None);
        }
    }

    private static string DiskXml(string loop, string id) =>
        $"<disk type='block' device='disk'><source dev='{SecurityElement.Escape(loop)}'/><target dev='{DiskTarget(id)}' bus='virtio'/></disk>";

    /// <summary>The volume's disk name in the container, from its number: vol-00000001 is sda, 26 sdz, 27 sdaa.</summary>
    public static string DiskTarget(string id)
    {
        var number = long.Parse(id["vol-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var letters = "";
        for (; number > 0; number = (number - 1) / 26) letters = (char)('a' + (number - 1) % 26) + letters;
        return "sd" + letters;
    }

    public bool IsRunning(string vmid)
    {
        using var domain = _connection.Value.Find(DomainName(vmid));
        return domain is { IsActive: true };
    }

    public IEnumerable<string> Check()
    {
        var problems = new List<string>();
        try
        {
            foreach (var domain in _connection.Value.Domains()) domain.Dispose();
        }
        catch (LibvirtException e)
        {
            problems.Add($"libvirt driver: {e.Message} ([iaas] LIBVIRT_URI)");
        }
        if (_libvirt.SshHost is { } host)
        {
            problems.AddRange(CheckNodeHost(host.Destination, host.Port));
            return problems;
        }
        foreach (var program in new[] { "cpsmanager", "cpsagent" })
            if (!File.Exists(Path.Combine(_libvirt.BaseDirectory, "usr/local/lib/conpaas", program)))
                problems.Add($"libvirt driver: the container image at {_libvirt.BaseDirectory} has no /usr/local/lib/conpaas/{program} ([iaas] LIBVIRT_BASE)");
        if (!Directory.Exists(Path.Combine("/sys/class/net", _libvirt.Bridge)))
            problems.Add($"libvirt driver: there is no bridge {_libvirt.Bridge} ([iaas] LIBVIRT_BRIDGE)");
        return problems;
    }

    /// <summary>
    /// The same checks of the container image and the bridge, made on the node host (a Pi) by its conpaas-node-host,
    /// the only command the director's key may run there; each line it prints on stderr is a problem.
    /// </summary>
    private List<string> CheckNodeHost(string destination, int port)
    {
        var result = new Command("ssh", "-T", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), destination,
                "check", _libvirt.BaseDirectory, _libvirt.Bridge)
            .RunAsync(CancellationToken.None, allowFailure: true).GetAwaiter().GetResult();
        if (result.Succeeded) return [];
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0
            ? [$"libvirt driver: ssh {destination} check failed (exit {result.ExitCode}) ([iaas] LIBVIRT_URI)"]
            : lines.Select(line => $"libvirt driver: on {destination}: {line}").ToList();
    }

    /// <summary>
    /// The pool's next address no node holds, after the one handed out last (wrapping round), as DHCP servers do: an
    /// address just given up is not handed out again at once, because neighbours still map it to the old container's
    /// MAC for a while (the Nutshell's curl to a php proxy on a just-reused address was refused for 8 s).
    /// </summary>
    private IPAddress Allocate(string vmid)
    {
        lock (_addresses)
        {
            var used = _addresses.Values.ToHashSet();
            var pool = _libvirt.Pool.ToList();
            var start = _lastAllocated is { } last ? pool.IndexOf(last) + 1 : 0;
            var free = Enumerable.Range(0, pool.Count).Select(i => pool[(start + i) % pool.Count]).FirstOrDefault(a => !used.Contains(a))
                       ?? throw new InvalidOperationException($"the libvirt driver's pool {_libvirt.PoolFirst}-{_libvirt.PoolLast} has no free address left ([iaas] LIBVIRT_POOL)");
            _addresses[vmid] = free;
            _lastAllocated = free;
            return free;
        }
    }

    /// <summary>Containers outlive the director by design: disposing only lets go of the connection.</summary>
    public ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated) _connection.Value.Dispose();
        return ValueTask.CompletedTask;
    }
}
