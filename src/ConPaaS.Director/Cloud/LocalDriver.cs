using System.Collections.Concurrent;
using System.Net;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// The local driver: each node is a process on this machine (cpsmanager or cpsagent from LOCAL_BIN_DIR) with an
/// address of its own on the loopback network (LOCAL_SUBNET, 127.77.0.0/16 by default; Linux routes all of 127/8 to
/// lo), managers on port 4443 and agents on 5555. Its state, certificates and log live in USERDATA_DIR/nodes/VMID.
/// Nodes are contained: they die with the director, which on start forgets any that the previous run left in the
/// database. When the director runs as root they are also confined (<see cref="NodeConfinement"/>): each
/// application's nodes run as a user of their own and see nothing of the director's state or of other nodes.
/// </summary>
public sealed class LocalDriver(DirectorSettings settings, ILogger<LocalDriver> logger) : UserDataDriver(settings.UserDataDir), ICloudDriver
{
    public const int ManagerPort = 4443;
    public const int AgentPort = 5555;

    /// <summary>Where a manager serves its application's git repository over SSH: not 22, which the host's own sshd
    /// may hold on every address.</summary>
    public const int GitPort = 2222;

    private readonly ConcurrentDictionary<string, (BackgroundProcess Process, IPAddress Address, long AppId)> _nodes = new();
    private readonly NodeConfinement? _confinement = NodeConfinement.Available ? new NodeConfinement(settings) : null;
    private readonly HashSet<IPAddress> _used = [];

    public string Name => "local";

    public async Task<Node> StartAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        var program = Path.Combine(settings.LocalBinDir, request.Program);
        if (!File.Exists(program))
            throw new InvalidOperationException($"the local driver cannot start a {request.Role}: {program} does not exist (LOCAL_BIN_DIR in [iaas])");
        var address = Allocate();
        var port = request.Role == Roles.Manager ? ManagerPort : AgentPort;
        try
        {
            var directory = NodeDirectory(request.Vmid);
            var certificates = Path.Combine(directory, "certs");
            Directory.CreateDirectory(certificates);
            File.WriteAllText(Path.Combine(certificates, "cert.pem"), request.CertificatePem);
            CertificateAuthority.WritePrivate(Path.Combine(certificates, "key.pem"), request.KeyPem);
            File.WriteAllText(Path.Combine(certificates, "ca_cert.pem"), request.CaPem);
            var context = Path.Combine(directory, "node.cfg");
            var state = request.Role == Roles.Manager ? ApplicationState(request.AppId) : null;
            var managerOnly = state is null ? "" : $"GIT_PORT = {GitPort}\nSTATE_DIR = {state}\n";
            File.WriteAllText(context, request.Context(address.ToString(), port) + managerOnly);
            var command = new Command(program, "--config", context) { WorkingDirectory = directory };
            if (_confinement is not null)
            {
                _confinement.Prepare(request.AppId, directory, state);
                command = _confinement.Wrap(command, request.AppId, directory, state);
            }
            var process = BackgroundProcess.Start(command.Contained(), Path.Combine(directory, "node.log"));
            _nodes[request.Vmid] = (process, address, request.AppId);
            logger.LogInformation("local node {Vmid} ({Role}) started as pid {Pid} at {Address}:{Port}", request.Vmid, request.Role, process.Id, address, port);
            await Task.CompletedTask;
            return new Node(request.Vmid, address.ToString(), port);
        }
        catch
        {
            lock (_used) _used.Remove(address);
            throw;
        }
    }

    public async Task StopAsync(string vmid)
    {
        if (!_nodes.TryRemove(vmid, out var node)) return;
        await node.Process.KillAsync();
        node.Process.Dispose();
        lock (_used) _used.Remove(node.Address);
        logger.LogInformation("local node {Vmid} stopped", vmid);
    }

    /// <summary>A confined node's volumes are its application's user's.</summary>
    protected override uint? VolumeOwner(string vmid) =>
        _confinement is not null && _nodes.TryGetValue(vmid, out var node) ? _confinement.UserIdOf(node.AppId) : null;

    public bool IsRunning(string vmid) => _nodes.TryGetValue(vmid, out var node) && !node.Process.Exited.IsCompleted;

    public IEnumerable<string> Check()
    {
        foreach (var program in new[] { "cpsmanager", "cpsagent" })
            if (!File.Exists(Path.Combine(settings.LocalBinDir, program)))
                yield return $"local driver: {Path.Combine(settings.LocalBinDir, program)} is missing ([iaas] LOCAL_BIN_DIR)";
    }

    /// <summary>The lowest free host address of the subnet, skipping the network address and .1 (the director's habit).</summary>
    private IPAddress Allocate()
    {
        var (network, prefix) = settings.LocalSubnet;
        var baseValue = BitConverter.ToUInt32(network.GetAddressBytes().Reverse().ToArray());
        var size = 1u << (32 - prefix);
        lock (_used)
        {
            for (var offset = 2u; offset < size - 1; offset++)
            {
                var address = new IPAddress(BitConverter.GetBytes(baseValue + offset).Reverse().ToArray());
                if (_used.Add(address)) return address;
            }
        }
        throw new InvalidOperationException($"the local driver's subnet {network}/{prefix} has no free address left");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var vmid in _nodes.Keys.ToArray()) await StopAsync(vmid);
    }
}
