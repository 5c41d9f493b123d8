using System.Net;
using System.Security;
using ConPaaS.Director.Cloud.Libvirt;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// The libvirt driver: each node is a container (libvirt's LXC driver, LIBVIRT_URI) booting the services container
/// image with systemd, whose cpsnode.service starts cpsmanager or cpsagent from the context written into it. libvirt
/// may be on this machine (lxc:///, the Nutshell) or another (lxc+ssh://, a Pi); what must happen on that machine
/// beyond libvirt's API is its conpaas-node-host's (<see cref="NodeHost"/>): each container's root, an overlay of the
/// shared read-only base (LIBVIRT_BASE) under a directory of its own, mounted there at run time, with the node's
/// context written in; a manager's application state directory at /var/lib/cpsmanager; every node's volumes
/// directory at /volumes, where the agent mounts its volumes, each one's ext4 file on a loop device added to the
/// running container as a disk. Addresses come from LIBVIRT_POOL on LIBVIRT_BRIDGE, written into the container as
/// systemd-networkd's configuration. Containers are transient domains named DEPLOYMENT-VMID: they outlive a director
/// restart (which finds them again by name) but not a reboot of their host (their applications are then STOPPED).
/// </summary>
public sealed class LibvirtDriver : ICloudDriver
{
    /// <summary>As on the local driver; 22 is the container image's own sshd.</summary>
    public const int ManagerPort = 4443, AgentPort = 5555, GitPort = 2222;

    /// <summary>Inside the container: where the node's context goes, and a manager's application state.</summary>
    public const string ContextDirectory = "/etc/cpsnode", ManagerStateDirectory = "/var/lib/cpsmanager";

    private readonly DirectorSettings _settings;
    private readonly LibvirtSettings _libvirt;
    private readonly NodeHost _host;
    private readonly ILogger<LibvirtDriver> _logger;
    private readonly Lazy<LibvirtConnection> _connection;
    private readonly Dictionary<string, IPAddress> _addresses = new();
    private bool _addressesKnown;
    private readonly SemaphoreSlim _baseGate = new(1, 1);
    private bool _baseEnsured;
    private string? _baseId;
    private IPAddress? _lastAllocated;

    public LibvirtDriver(DirectorSettings settings, ILogger<LibvirtDriver> logger)
    {
        _settings = settings;
        _libvirt = settings.Libvirt ?? throw new InvalidOperationException("the libvirt driver needs [iaas] DRIVER = libvirt");
        _host = new NodeHost(_libvirt);
        _logger = logger;
        _connection = new(() => LibvirtConnection.Open(_libvirt.Uri), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name => "libvirt";

    public int VolumeUnitMb => 1;

    private string DomainName(string vmid) => $"{_settings.DeploymentName}-{vmid}";

    public async Task<Node> StartAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        var port = request.Role == Roles.Manager ? ManagerPort : AgentPort;
        var prepared = false;
        try
        {
            await EnsureBaseAsync(cancellationToken);
            var address = await AllocateAsync(request.Vmid);
            var node = await _host.PrepareAsync(request.Vmid, address, ContextFiles(request, address, port),
                request.Role == Roles.Manager ? request.AppId : null, cancellationToken);
            prepared = true;
            var xml = DomainXml(DomainName(request.Vmid), node.Root, node.Volumes, node.ApplicationState);
            await Task.Run(() =>
            {
                using var domain = _connection.Value.CreateTransient(xml);
            }, cancellationToken);
            _logger.LogInformation("container {Domain} ({Role}) started on {Host} at {Address}:{Port}", DomainName(request.Vmid), request.Role, _host.Name, address, port);
            return new Node(request.Vmid, address.ToString(), port);
        }
        catch (Exception e) when (e is LibvirtException or IOException)
        {
            await CleanUpAfterFailureAsync(request.Vmid, prepared);
            throw new InvalidOperationException($"the libvirt driver cannot start {request.Vmid}: {e.Message}", e);
        }
        catch
        {
            await CleanUpAfterFailureAsync(request.Vmid, prepared);
            throw;
        }
    }

    /// <summary>Cleans up after a failed start; a clean-up that fails too is logged, so that the start's own error is
    /// the one reported.</summary>
    private async Task CleanUpAfterFailureAsync(string vmid, bool prepared)
    {
        try
        {
            await CleanUpAsync(vmid, prepared);
        }
        catch (IOException e)
        {
            _logger.LogWarning("cleaning up after {Vmid}'s failed start failed too: {Message}", vmid, e.Message);
        }
    }

    /// <summary>
    /// With LIBVIRT_BASE_ARCHIVE, the container host gets that image (once per run of the director, before its first
    /// node) unless it holds it already, known by the archive's SHA-256. A host with nodes prepared keeps the image they
    /// run on until they are gone; one with none at all cannot start a node.
    /// </summary>
    private async Task EnsureBaseAsync(CancellationToken cancellationToken)
    {
        if (_libvirt.BaseArchive is not { } archive || _baseEnsured) return;
        await _baseGate.WaitAsync(cancellationToken);
        try
        {
            if (_baseEnsured) return;
            if (_baseId is null)
            {
                await using var file = File.OpenRead(archive);
                _baseId = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file, cancellationToken));
            }
            var id = _baseId;
            var installed = await _host.BaseIdAsync(cancellationToken);
            if (installed == id)
            {
                _baseEnsured = true;
                return;
            }
            _logger.LogInformation("installing container image {Archive} ({Size} bytes) on {Host}", archive, new FileInfo(archive).Length, _host.Name);
            if (await _host.InstallBaseAsync(id, archive, cancellationToken))
            {
                _logger.LogInformation("container image {Archive} installed on {Host} at {Base}", archive, _host.Name, _libvirt.BaseDirectory);
                _baseEnsured = true;
            }
            else if (installed is null)
                throw new IOException($"{_host.Name} has no container image at {_libvirt.BaseDirectory} and nodes prepared there keep it from getting one");
            else
                _logger.LogWarning("{Host} keeps an older container image while nodes run on it; {Archive} goes there once none does", _host.Name, archive);
        }
        finally
        {
            _baseGate.Release();
        }
    }

    /// <summary>
    /// The node's context, for the container's own upper layer (fresh: nothing of the node's yet): node.cfg, its
    /// certificates (the key readable by root alone), which program to run, and its network configuration, which takes
    /// precedence over the image's DHCP one (systemd-networkd reads the lexically first match). The node host adds its
    /// resolvers.
    /// </summary>
    private IEnumerable<NodeHost.ContextFile> ContextFiles(NodeRequest request, IPAddress address, int port)
    {
        const UnixFileMode Readable = (UnixFileMode)0b110_100_100, Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var managerOnly = request.Role == Roles.Manager ? $"GIT_PORT = {GitPort}\nSTATE_DIR = {ManagerStateDirectory}\n" : "";
        return
        [
            new($"{ContextDirectory}/certs/cert.pem", request.CertificatePem, Readable),
            new($"{ContextDirectory}/certs/key.pem", request.KeyPem, Private),
            new($"{ContextDirectory}/certs/ca_cert.pem", request.CaPem, Readable),
            new($"{ContextDirectory}/node.cfg", request.Context(address.ToString(), port) + managerOnly, Readable),
            new($"{ContextDirectory}/program", request.Program + "\n", Readable),
            new("/etc/systemd/network/05-cpsnode.network", NetworkFile(address), Readable),
        ];
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

    /// <summary>Unmounts the container's root, forgets its directory (when it got that far) and its address.</summary>
    private async Task CleanUpAsync(string vmid, bool prepared = true)
    {
        if (prepared) await _host.CleanUpAsync(vmid);
        lock (_addresses) _addresses.Remove(vmid);
    }

    public Task CreateVolumeAsync(string id, long sizeMb, CancellationToken cancellationToken) => _host.CreateVolumeAsync(id, sizeMb, cancellationToken);

    public Task DestroyVolumeAsync(string id) => _host.DestroyVolumeAsync(id);

    public Task DeleteApplicationStateAsync(long appId) => _host.ForgetApplicationAsync(appId);

    /// <summary>
    /// A volume becomes a disk of the running container: its ext4 file on a loop device (set up at run time on the
    /// container's host), which libvirt adds as /dev/sdX; the agent mounts it at /volumes/NAME. The agent, not the
    /// director, mounts: a mount made from outside would resolve the device's path in a namespace the container's
    /// root controls.
    /// </summary>
    public async Task<AttachedDevice?> AttachVolumeAsync(string id, string vmid, string name)
    {
        var loop = await _host.AttachVolumeAsync(id);
        try
        {
            using var domain = _connection.Value.Find(DomainName(vmid)) ?? throw new InvalidOperationException($"container {DomainName(vmid)} does not run");
            await Task.Run(() => domain.AttachDevice(DiskXml(loop, id)));
            _logger.LogInformation("volume {Volume} on {Loop} added to {Domain} as /dev/{Target}", id, loop, DomainName(vmid), DiskTarget(id));
            return new AttachedDevice($"/dev/{DiskTarget(id)}", $"/volumes/{name}");
        }
        catch
        {
            try
            {
                await _host.DetachLoopAsync(loop);
            }
            catch (IOException e)
            {
                _logger.LogWarning("freeing {Loop} after a failed attach failed too: {Message}", loop, e.Message);
            }
            throw;
        }
    }

    /// <summary>Removes the disk from the container if it still runs, and frees the volume's loop devices.</summary>
    public async Task DetachVolumeAsync(string id, string vmid, string name)
    {
        foreach (var loop in await _host.VolumeLoopsAsync(id))
        {
            using (var domain = _connection.Value.Find(DomainName(vmid)))
                if (domain is { IsActive: true }) await Task.Run(() => domain.DetachDevice(DiskXml(loop, id)));
            await _host.DetachLoopAsync(loop);
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
        if (_libvirt.BaseArchive is { } archive && !File.Exists(archive))
            problems.Add($"libvirt driver: the container image {archive} does not exist ([iaas] LIBVIRT_BASE_ARCHIVE)");
        var where = _libvirt.SshHost is null ? "" : $"on {_host.Name}: ";
        problems.AddRange(_host.CheckAsync().GetAwaiter().GetResult().Select(problem => $"libvirt driver: {where}{problem}"));
        return problems;
    }

    /// <summary>
    /// The pool's next address no node holds, after the one handed out last (wrapping round), as DHCP servers do: an
    /// address just given up is not handed out again at once, because neighbours still map it to the old container's
    /// MAC for a while (the Nutshell's curl to a php proxy on a just-reused address was refused for 8 s).
    /// </summary>
    private async Task<IPAddress> AllocateAsync(string vmid)
    {
        // Containers of a previous run of the director still hold their addresses: the node host knows which. Asked
        // once, at the first start (the host may not have been reachable when the director started).
        if (!_addressesKnown)
        {
            var held = await _host.AddressesAsync();
            lock (_addresses)
            {
                foreach (var (node, address) in held) _addresses.TryAdd(node, address);
                _addressesKnown = true;
            }
        }
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
