using System.Text.Json.Nodes;
using System.Collections.Concurrent;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;
using Dapper;

namespace ConPaaS.Director.Lifecycle;

/// <summary>A file sent with a manifest: the form field the manifest names it by ("upload:FIELD"), its name, its bytes.</summary>
public sealed record ManifestUpload(string Field, string FileName, byte[] Content);

/// <summary>A manifest waiting for its application's manager, which deploys it.</summary>
public sealed record PendingManifest(string Text, IReadOnlyList<ManifestUpload> Uploads);

/// <summary>
/// Application life cycle: INIT -> PROLOGUE (manager node starting) -> RUNNING -> EPILOGUE -> STOPPED, or ERROR.
/// One lock per application keeps a start, a stop and the credit charger from interleaving on it.
/// </summary>
public sealed class Applications(Database database, ServiceRecords serviceRecords, Nodes nodes, ManagerClient managers, DirectorSettings settings, ILogger<Applications> logger)
{
    public const string Columns = "aid, name, uid, status, manager, manager_port, vmid, cloud, created";

    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<long, (long Generation, byte[] Json)> _listings = new();

    public Application? Find(long aid) => database.Read(connection =>
        connection.QuerySingleOrDefault<Application>($"SELECT {Columns} FROM applications WHERE aid = @aid", new { aid }));

    /// <summary>The caller's application, or 404: another user's application is indistinguishable from none.</summary>
    public Application Owned(CertificateIdentity caller, long aid) =>
        Find(aid) is { } application && application.Uid == caller.Uid
            ? application
            : throw RefusedException.NotFound($"application {aid} does not exist");

    /// <summary>The application a manager certificate belongs to; an <paramref name="claimed"/> id naming another one is
    /// refused, not ignored, and so is an application that no longer exists.</summary>
    public Application OfManager(CertificateIdentity manager, long? claimed)
    {
        if (claimed is { } aid && aid != manager.ApplicationId)
            throw RefusedException.Forbidden($"a manager of application {manager.ApplicationId} cannot act on application {aid}");
        return Find(manager.ApplicationId) is { } application && application.Uid == manager.Uid
            ? application
            : throw RefusedException.Forbidden($"application {manager.ApplicationId} no longer exists");
    }

    public IReadOnlyList<Application> OfUser(long uid) => database.Read(connection =>
        connection.Query<Application>($"SELECT {Columns} FROM applications WHERE uid = @uid ORDER BY aid", new { uid }).ToList());

    /// <summary>
    /// The user's applications as /listapp sends them. The busiest call (every client polls it), so the serialized
    /// answer is kept per user until the database's next write.
    /// </summary>
    public byte[] ListingJson(long uid)
    {
        var generation = database.Generation;
        if (!_listings.TryGetValue(uid, out var listing) || listing.Generation != generation)
        {
            listing = (generation, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(OfUser(uid).Select(a => a.Public)));
            _listings[uid] = listing;
        }
        return listing.Json;
    }

    /// <summary>A new application; its name must be unique among the user's (the seeds: "The application's name must be unique").</summary>
    public Application Create(long uid, string name, string? manifest = null) => database.Write((connection, transaction) =>
    {
        RefuseTakenName(connection, transaction, uid, name, aid: 0);
        return connection.QuerySingle<Application>(
            $"INSERT INTO applications (name, uid, status, created, manifest) VALUES (@name, @uid, @status, @created, @manifest) RETURNING {Columns}",
            new { name, uid, status = LifecycleState.Init, created = DateTimeOffset.UtcNow.ToString("O"), manifest }, transaction);
    });

    public string? Manifest(long aid) => database.Read(connection =>
        connection.QuerySingle<string?>("SELECT manifest FROM applications WHERE aid = @aid", new { aid }));

    /// <summary>Creates the application a checked manifest names; when it lists services, starts it, and its new
    /// manager gets the manifest to deploy.</summary>
    public async Task<Application> CreateFromManifestAsync(long uid, Platform.Manifests.Manifest manifest, string text, IReadOnlyList<ManifestUpload> uploads)
    {
        var created = Create(uid, manifest.Application, text);
        if (manifest.Services.Count > 0) await StartAsync(created, manifest.Services[0].Cloud, new PendingManifest(text, uploads));
        return created;
    }

    /// <summary>Moves to PROLOGUE and starts the manager in the background; the caller polls the status. A
    /// <paramref name="manifest"/> goes to the manager as soon as it answers.</summary>
    public async Task StartAsync(Application application, string cloud, PendingManifest? manifest = null)
    {
        Clouds.Check(settings, cloud);
        var gate = Gate(application.Aid);
        await gate.WaitAsync();
        try
        {
            database.Write((connection, transaction) =>
            {
                var current = connection.QuerySingle<string>("SELECT status FROM applications WHERE aid = @Aid", application, transaction);
                if (current is not (LifecycleState.Init or LifecycleState.Stopped or LifecycleState.Error))
                    throw RefusedException.Conflict($"application {application.Aid} is {current}; only an application in INIT, STOPPED or ERROR can start");
                var credit = connection.QuerySingle<long>("SELECT credit FROM users WHERE uid = @Uid", application, transaction);
                if (credit < 1)
                    throw RefusedException.Forbidden(Nodes.NoCreditLeft);
                return connection.Execute("UPDATE applications SET status = @status, cloud = @cloud WHERE aid = @Aid",
                    new { status = LifecycleState.Prologue, cloud, application.Aid }, transaction);
            });
        }
        finally
        {
            gate.Release();
        }
        _ = Task.Run(() => BringUpAsync(application with { Cloud = cloud }, manifest));
    }

    private async Task BringUpAsync(Application application, PendingManifest? manifest)
    {
        var gate = Gate(application.Aid);
        await gate.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(settings.NodeStartTimeout);
            var manager = await nodes.StartAsync(application, 0, Roles.Manager, "manager", application.Cloud ?? "default", timeout.Token);
            var running = application with { Manager = manager.Ip, ManagerPort = manager.Port, Vmid = manager.Vmid };
            await WaitForManagerAsync(running, manager.Vmid, timeout.Token);
            // A restarted application's new manager learns the services it had (stopped, ready to start again).
            var services = serviceRecords.OfApplications([running.Aid]);
            foreach (var service in services)
                await managers.CallAsync(running, "add_service", new JsonObject { ["service_type"] = service.Type, ["service_id"] = service.Sid, ["name"] = service.Name, ["cloud"] = service.Cloud }, timeout.Token);
            database.Write((connection, transaction) => connection.Execute(
                "UPDATE applications SET status = @status, manager = @Manager, manager_port = @ManagerPort, vmid = @Vmid WHERE aid = @Aid AND status = @prologue",
                new { status = LifecycleState.Running, running.Manager, running.ManagerPort, running.Vmid, running.Aid, prologue = LifecycleState.Prologue }, transaction));
            if (manifest is not null)
                await managers.UploadAsync(running, 0, "deploy_manifest", new Dictionary<string, string> { ["manifest"] = manifest.Text },
                    manifest.Uploads.Select(u => new UploadedFile(u.Field, u.FileName, new ByteArrayContent(u.Content))), timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogError(e, "application {Aid} failed to start", application.Aid);
            await nodes.StopApplicationAsync(application.Aid);
            SetStatus(application.Aid, LifecycleState.Error);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WaitForManagerAsync(Application application, string vmid, CancellationToken cancellationToken)
    {
        var delay = new Common.PollingDelay();
        while (true)
        {
            if (!nodes.Driver.IsRunning(vmid))
                throw new InvalidOperationException($"the manager node {vmid} exited while starting; see its node.log");
            try
            {
                await managers.CallAsync(application, "check_process", new JsonObject(), cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await delay.WaitAsync(cancellationToken);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One call outlived NODE_CALL_TIMEOUT: the manager is up but slow to answer its first calls (a Pi's
                // manager runs under emulation). It has until NODE_START_TIMEOUT, so ask again.
                logger.LogInformation("application {Aid}'s manager {Vmid} did not answer within {Timeout} s; asking again", application.Aid, vmid, settings.NodeCallTimeout.TotalSeconds);
            }
        }
    }

    /// <summary>Stops every node of the application (manager included) and marks it and its services STOPPED.</summary>
    public async Task StopAsync(long aid, bool requireRunning = true)
    {
        var gate = Gate(aid);
        await gate.WaitAsync();
        try
        {
            var application = Find(aid) ?? throw RefusedException.NotFound($"application {aid} does not exist");
            if (requireRunning && application.Status is LifecycleState.Init or LifecycleState.Stopped)
                throw RefusedException.Conflict($"application {aid} is {application.Status}, not running");
            SetStatus(aid, LifecycleState.Epilogue);
            await TakeDownAsync(aid, LifecycleState.Stopped);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Running applications whose manager node no longer runs.</summary>
    public IReadOnlyList<long> WithLostManagers() => database.Read(connection => connection.Query<(long Aid, string Vmid)>(
            "SELECT aid, vmid FROM applications WHERE status = @running AND vmid IS NOT NULL", new { running = LifecycleState.Running }).ToList())
        .Where(a => !nodes.Driver.IsRunning(a.Vmid)).Select(a => a.Aid).ToList();

    /// <summary>A dead manager: the application goes to ERROR (from which it can start again) and its other nodes stop,
    /// so the user is charged for nothing that cannot work.</summary>
    public async Task ManagerLostAsync(long aid)
    {
        var gate = Gate(aid);
        await gate.WaitAsync();
        try
        {
            if (Find(aid) is not { Status: LifecycleState.Running, Vmid: { } vmid } || nodes.Driver.IsRunning(vmid)) return;
            await TakeDownAsync(aid, LifecycleState.Error);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task DeleteAsync(long aid)
    {
        await StopAsync(aid, requireRunning: false);
        await nodes.DestroyVolumesAsync(aid);
        await nodes.Driver.DeleteApplicationStateAsync(aid);
        database.Write((connection, transaction) => connection.Execute("DELETE FROM applications WHERE aid = @aid", new { aid }, transaction));
        _locks.TryRemove(aid, out _);
    }

    public void Rename(Application application, string name) => database.Write((connection, transaction) =>
    {
        var (uid, aid) = (application.Uid, application.Aid);
        RefuseTakenName(connection, transaction, uid, name, aid);
        return connection.Execute("UPDATE applications SET name = @name WHERE aid = @aid", new { name, aid }, transaction);
    });

    /// <summary>Refuses a name another of the user's applications (not <paramref name="aid"/>) has.</summary>
    private static void RefuseTakenName(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, long uid, string name, long aid)
    {
        if (connection.QuerySingle<long>("SELECT COUNT(*) FROM applications WHERE uid = @uid AND name = @name AND aid != @aid", new { uid, name, aid }, transaction) > 0)
            throw RefusedException.Conflict($"you already have an application named '{name}'; application names are unique");
    }

    /// <summary>
    /// After a restart: nodes the driver still runs are adopted as they are (containers outlive the director); the
    /// rows of nodes that are gone (all of the local driver's, which die with the director; containers after a reboot)
    /// are forgotten, and an application whose manager is gone is STOPPED, its surviving agents stopped with it (the
    /// user starts it again).
    /// </summary>
    public async Task AdoptOrForgetNodesAsync()
    {
        var all = database.Read(connection => connection.Query<(string Vmid, long AppId, string Role)>("SELECT vmid, app_id, role FROM resources").ToList());
        var running = all.Where(r => nodes.Driver.IsRunning(r.Vmid)).ToList();
        var orphaned = running.Where(r => r.Role != Platform.Security.Roles.Manager && !running.Any(m => m.AppId == r.AppId && m.Role == Platform.Security.Roles.Manager)).ToList();
        foreach (var agent in orphaned) await nodes.Driver.StopAsync(agent.Vmid);
        var kept = running.Except(orphaned).Select(r => r.Vmid).ToList();
        var forgotten = database.Write((connection, transaction) =>
        {
            var count = connection.Execute("DELETE FROM resources WHERE vmid NOT IN @kept", new { kept }, transaction);
            var states = new { stopped = LifecycleState.Stopped, init = LifecycleState.Init };
            const string Managerless = "SELECT aid FROM applications WHERE vmid IS NULL OR vmid NOT IN (SELECT vmid FROM resources)";
            connection.Execute($"UPDATE services SET state = @stopped WHERE state <> @init AND application_id IN ({Managerless})", states, transaction);
            connection.Execute($"UPDATE applications SET status = @stopped, manager = NULL, manager_port = NULL, vmid = NULL WHERE status NOT IN (@init, @stopped) AND aid IN ({Managerless})",
                states, transaction);
            return count;
        });
        if (kept.Count > 0) logger.LogInformation("found {Count} nodes of the previous run still running; their applications carry on", kept.Count);
        if (forgotten > 0) logger.LogWarning("forgot {Count} nodes the previous run left that are gone; their applications are STOPPED", forgotten);
    }

    /// <summary>Stops every node of the application; it and its services are left without a manager, in
    /// <paramref name="status"/> and STOPPED. The caller holds the application's gate.</summary>
    private async Task TakeDownAsync(long aid, string status)
    {
        await nodes.StopApplicationAsync(aid);
        managers.Forget(aid);
        database.Write((connection, transaction) =>
        {
            connection.Execute("UPDATE services SET state = @stopped WHERE application_id = @aid", new { stopped = LifecycleState.Stopped, aid }, transaction);
            return connection.Execute("UPDATE applications SET status = @status, manager = NULL, manager_port = NULL, vmid = NULL WHERE aid = @aid",
                new { status, aid }, transaction);
        });
    }

    private void SetStatus(long aid, string status) => database.Write((connection, transaction) =>
        connection.Execute("UPDATE applications SET status = @status WHERE aid = @aid", new { status, aid }, transaction));

    private SemaphoreSlim Gate(long aid) => _locks.GetOrAdd(aid, _ => new SemaphoreSlim(1, 1));
}
