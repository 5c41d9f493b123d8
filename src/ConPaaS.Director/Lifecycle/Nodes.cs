using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Security;
using Dapper;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Starting and stopping nodes for applications: a resource row per node (its id, address and charge), a
/// certificate for it from our CA, and the driver doing the rest. A node's first period is charged as it starts;
/// the later ones are the credit charger's job.
/// </summary>
public sealed class Nodes(Database database, ICloudDriver driver, DirectorCertificates certificates, DirectorSettings settings)
{
    public const string ResourceColumns = "rid, vmid, app_id, service_id, ip, port, role, cloud, created, charged";

    public ICloudDriver Driver => driver;

    /// <summary>Starts a manager (service 0) or an agent of <paramref name="serviceId"/> and records it.</summary>
    public async Task<Resource> StartAsync(Application application, long serviceId, string role, string serviceType, string cloud, CancellationToken cancellationToken)
    {
        var created = DateTimeOffset.UtcNow.ToString("O");
        // The node's first period is paid as it is recorded, in the same transaction: credit never pays for a node
        // that does not exist, and a user never has a node that is not paid for.
        var rid = database.Write((connection, transaction) =>
        {
            if (connection.Execute("UPDATE users SET credit = credit - 1 WHERE uid = @Uid AND credit >= 1", application, transaction) == 0)
                throw RefusedException.Forbidden(NoCreditLeft);
            var id = connection.ExecuteScalar<long>(
                "INSERT INTO resources (vmid, app_id, service_id, ip, port, role, cloud, created, charged) VALUES (@vmid, @aid, @serviceId, '', 0, @role, @cloud, @created, 1) RETURNING rid",
                new { vmid = Guid.NewGuid().ToString(), aid = application.Aid, serviceId, role, cloud, created }, transaction);
            connection.Execute("UPDATE resources SET vmid = @vmid WHERE rid = @id", new { vmid = VmidFor(id), id }, transaction);
            return id;
        });
        var vmid = VmidFor(rid);
        var identity = new CertificateIdentity(application.Uid, role, application.Aid, vmid);
        var (certificate, key) = certificates.Authority.IssueWithKey(identity, ["127.0.0.1", "localhost"]);
        try
        {
            var node = await driver.StartAsync(new NodeRequest(vmid, role, application.Aid, serviceId, cloud,
                role == Roles.Manager ? "cpsmanager" : "cpsagent", certificate, key, certificates.Authority.CertificatePem,
                (ip, port) => Context(application, serviceId, serviceType, role, vmid, cloud, ip, port)), cancellationToken);
            database.Write((connection, transaction) => connection.Execute(
                "UPDATE resources SET ip = @Ip, port = @Port WHERE rid = @rid", new { node.Ip, node.Port, rid }, transaction));
            return Get(rid) ?? throw new InvalidOperationException($"node {vmid} vanished while starting");
        }
        catch
        {
            await StopAsync(vmid);
            throw;
        }
    }

    public const int MaxAgentsPerCall = Platform.Services.ServiceRole.MaxAgents;

    public const string NoCreditLeft = "no credit left: one credit is one node-hour; ask the administrator for more";

    /// <summary>Starts <paramref name="count"/> agents of a service side by side (their certificates, rows and
    /// processes do not depend on each other); if any fails, the others are stopped again.</summary>
    public async Task<IReadOnlyList<Resource>> StartAgentsAsync(Application application, Service service, int count, string cloud, CancellationToken cancellationToken)
    {
        Clouds.Check(settings, cloud);
        var credit = database.Read(connection => connection.QuerySingle<long>("SELECT credit FROM users WHERE uid = @Uid", application));
        if (credit < count) throw RefusedException.Forbidden($"{count} nodes need {count} credits; the user has {credit}");
        var starting = Enumerable.Range(0, count).Select(_ => StartAsync(application, service.Sid, Roles.Agent, service.Type, cloud, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch (Exception e)
        {
            // Whatever stopped one (no credit left meanwhile, a driver failure, cancellation), none stays running
            // unknown to the manager and charged.
            foreach (var node in starting.Where(t => t.IsCompletedSuccessfully)) await StopAsync(node.Result.Vmid);
            if (e is InvalidOperationException or Processes.ToolFailedException)
                throw new RefusedException(Refusal.Unavailable, $"cannot create nodes: {e.Message}");
            throw;
        }
        return starting.Select(t => t.Result).OrderBy(r => r.Rid).ToList();
    }

    /// <summary>Stops agents of the application; every one must be its own (a manager is not an agent).</summary>
    public async Task StopAgentsAsync(Application application, IReadOnlyList<string> vmids)
    {
        var owned = OfApplication(application.Aid).Where(r => r.Role != Roles.Manager).Select(r => r.Vmid).ToHashSet();
        foreach (var vmid in vmids)
            if (!owned.Contains(vmid)) throw RefusedException.NotFound($"application {application.Aid} has no agent node '{vmid}'");
        foreach (var vmid in vmids) await StopAsync(vmid);
    }

    /// <summary>Stops the node; volumes attached to it are detached (they outlive their nodes).</summary>
    public async Task StopAsync(string vmid)
    {
        await driver.StopAsync(vmid);
        var attached = database.Read(connection => connection.Query<(long Vid, string Name)>("SELECT vid, name FROM volumes WHERE vmid = @vmid", new { vmid }).ToList());
        foreach (var (vid, name) in attached) await driver.DetachVolumeAsync(VolumeId(vid), vmid, name);
        database.Write((connection, transaction) =>
        {
            connection.Execute("UPDATE volumes SET vmid = NULL WHERE vmid = @vmid", new { vmid }, transaction);
            return connection.Execute("DELETE FROM resources WHERE vmid = @vmid", new { vmid }, transaction);
        });
    }

    /// <summary>Destroys every volume of an application (when the application is deleted).</summary>
    public async Task DestroyVolumesAsync(long aid)
    {
        var vids = database.Read(connection => connection.Query<long>("SELECT vid FROM volumes WHERE app_id = @aid", new { aid }).ToList());
        foreach (var vid in vids) await driver.DestroyVolumeAsync(VolumeId(vid));
    }

    public async Task StopApplicationAsync(long aid)
    {
        var vmids = database.Read(connection => connection.Query<string>("SELECT vmid FROM resources WHERE app_id = @aid", new { aid }).ToArray());
        foreach (var vmid in vmids) await StopAsync(vmid);
    }

    public Resource? Get(long rid) => database.Read(connection =>
        connection.QuerySingleOrDefault<Resource>($"SELECT {ResourceColumns} FROM resources WHERE rid = @rid", new { rid }));

    /// <summary>Every node a user is charged for, with its application's name.</summary>
    public IReadOnlyList<(Resource Resource, string ApplicationName)> OfUser(long uid) => database.Read(connection => connection.Query<Resource, string, (Resource, string)>(
        $"SELECT {string.Join(", ", ResourceColumns.Split(", ").Select(c => "r." + c))}, a.name FROM resources r JOIN applications a ON a.aid = r.app_id WHERE a.uid = @uid ORDER BY r.rid",
        (resource, name) => (resource, name), new { uid }, splitOn: "name").ToList());

    public IReadOnlyList<Resource> OfApplication(long aid) => database.Read(connection =>
        connection.Query<Resource>($"SELECT {ResourceColumns} FROM resources WHERE app_id = @aid ORDER BY rid", new { aid }).ToList());

    /// <summary>A node's id: the driver's name and the resource row's number (local-00000002, libvirt-00000002).</summary>
    private string VmidFor(long rid) => $"{driver.Name}-{rid:D8}";

    /// <summary>The driver's name for a volume, unique in the deployment.</summary>
    public static string VolumeId(long vid) => $"vol-{vid:D8}";

    /// <summary>The node's contextualization file (ConPaaS's config.cfg): who it is and where the director is.</summary>
    private string Context(Application application, long serviceId, string serviceType, string role, string vmid, string cloud, string ip, int port) =>
        $"""
        [node]
        ROLE = {role}
        VMID = {vmid}
        IP = {ip}
        PORT = {port}
        USER_ID = {application.Uid}
        APP_ID = {application.Aid}
        SERVICE_ID = {serviceId}
        SERVICE_TYPE = {serviceType}
        CLOUD = {cloud}
        DIRECTOR_URL = {settings.DirectorUrl.GetLeftPart(UriPartial.Authority)}
        CERT_DIR = certs
        START_TIMEOUT = {(int)settings.NodeStartTimeout.TotalSeconds}
        """ + "\n";
}
