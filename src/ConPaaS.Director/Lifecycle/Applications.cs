using System.Collections.Concurrent;
using ConPaaS.Director.Api;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Security;
using Dapper;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Application life cycle: INIT -> PROLOGUE (manager node starting) -> RUNNING -> EPILOGUE -> STOPPED, or ERROR.
/// One lock per application keeps a start, a stop and the credit charger from interleaving on it.
/// </summary>
public sealed class Applications(Database database, Nodes nodes, ManagerClient managers, ILogger<Applications> logger)
{
    public const string Columns = "aid, name, uid, status, manager, manager_port, vmid, cloud, created";
    private static readonly TimeSpan ManagerStartTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    public Application? Find(long aid) => database.Read(connection =>
        connection.QuerySingleOrDefault<Application>($"SELECT {Columns} FROM applications WHERE aid = @aid", new { aid }));

    /// <summary>The caller's application, or 404: another user's application is indistinguishable from none.</summary>
    public Application Owned(CertificateIdentity caller, long aid) =>
        Find(aid) is { } application && application.Uid == caller.Uid
            ? application
            : throw ApiException.NotFound($"application {aid} does not exist");

    public IReadOnlyList<Application> OfUser(long uid) => database.Read(connection =>
        connection.Query<Application>($"SELECT {Columns} FROM applications WHERE uid = @uid ORDER BY aid", new { uid }).ToList());

    public Application Create(long uid, string name, string? manifest = null) => database.Write((connection, transaction) =>
        connection.QuerySingle<Application>(
            $"INSERT INTO applications (name, uid, status, created, manifest) VALUES (@name, @uid, @status, @created, @manifest) RETURNING {Columns}",
            new { name, uid, status = ApplicationStatus.Init, created = DateTimeOffset.UtcNow.ToString("O"), manifest }, transaction));

    /// <summary>Moves to PROLOGUE and starts the manager in the background; the caller polls the status.</summary>
    public async Task StartAsync(Application application, string cloud)
    {
        var gate = Gate(application.Aid);
        await gate.WaitAsync();
        try
        {
            database.Write((connection, transaction) =>
            {
                var current = connection.QuerySingle<string>("SELECT status FROM applications WHERE aid = @Aid", application, transaction);
                if (current is not (ApplicationStatus.Init or ApplicationStatus.Stopped or ApplicationStatus.Error))
                    throw ApiException.Conflict($"application {application.Aid} is {current}; only an application in INIT, STOPPED or ERROR can start");
                var credit = connection.QuerySingle<long>("SELECT credit FROM users WHERE uid = @Uid", application, transaction);
                if (credit < 1)
                    throw ApiException.Forbidden("no credit left: one credit is one node-hour; ask the administrator for more");
                return connection.Execute("UPDATE applications SET status = @status, cloud = @cloud WHERE aid = @Aid",
                    new { status = ApplicationStatus.Prologue, cloud, application.Aid }, transaction);
            });
        }
        finally
        {
            gate.Release();
        }
        _ = Task.Run(() => BringUpAsync(application with { Cloud = cloud }));
    }

    private async Task BringUpAsync(Application application)
    {
        var gate = Gate(application.Aid);
        await gate.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(ManagerStartTimeout);
            var manager = await nodes.StartAsync(application, 0, Roles.Manager, "manager", application.Cloud ?? "default", timeout.Token);
            var running = application with { Manager = manager.Ip, ManagerPort = manager.Port, Vmid = manager.Vmid };
            await WaitForManagerAsync(running, manager.Vmid, timeout.Token);
            // A restarted application's new manager learns the services it had (stopped, ready to start again).
            var services = database.Read(connection => connection.Query<Service>(
                $"SELECT {Api.ServicesApi.Columns} FROM services WHERE application_id = @Aid ORDER BY sid", running).ToList());
            foreach (var service in services)
                await managers.CallAsync(running, "add_service", new { service_type = service.Type, service_id = service.Sid, name = service.Name, cloud = service.Cloud }, timeout.Token);
            database.Write((connection, transaction) => connection.Execute(
                "UPDATE applications SET status = @status, manager = @Manager, manager_port = @ManagerPort, vmid = @Vmid WHERE aid = @Aid AND status = @prologue",
                new { status = ApplicationStatus.Running, running.Manager, running.ManagerPort, running.Vmid, running.Aid, prologue = ApplicationStatus.Prologue }, transaction));
        }
        catch (Exception e)
        {
            logger.LogError(e, "application {Aid} failed to start", application.Aid);
            await nodes.StopApplicationAsync(application.Aid);
            SetStatus(application.Aid, ApplicationStatus.Error);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WaitForManagerAsync(Application application, string vmid, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!nodes.Driver.IsRunning(vmid))
                throw new InvalidOperationException($"the manager node {vmid} exited while starting; see its node.log");
            try
            {
                await managers.CallAsync(application, "check_process", new { }, cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(25, cancellationToken);
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
            var application = Find(aid) ?? throw ApiException.NotFound($"application {aid} does not exist");
            if (requireRunning && application.Status is ApplicationStatus.Init or ApplicationStatus.Stopped)
                throw ApiException.Conflict($"application {aid} is {application.Status}, not running");
            SetStatus(aid, ApplicationStatus.Epilogue);
            await nodes.StopApplicationAsync(aid);
            managers.Forget(aid);
            database.Write((connection, transaction) =>
            {
                connection.Execute("UPDATE services SET state = 'STOPPED' WHERE application_id = @aid", new { aid }, transaction);
                return connection.Execute("UPDATE applications SET status = @status, manager = NULL, manager_port = NULL, vmid = NULL WHERE aid = @aid",
                    new { status = ApplicationStatus.Stopped, aid }, transaction);
            });
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
        database.Write((connection, transaction) => connection.Execute("DELETE FROM applications WHERE aid = @aid", new { aid }, transaction));
        _locks.TryRemove(aid, out _);
    }

    public void Rename(long aid, string name) => database.Write((connection, transaction) =>
        connection.Execute("UPDATE applications SET name = @name WHERE aid = @aid", new { name, aid }, transaction));

    /// <summary>
    /// After a restart: the local driver's nodes died with the previous director, so their rows go and the
    /// applications they served are STOPPED (the user starts them again).
    /// </summary>
    public void ForgetLostNodes()
    {
        var forgotten = database.Write((connection, transaction) =>
        {
            var count = connection.Execute("DELETE FROM resources", transaction: transaction);
            connection.Execute("UPDATE services SET state = 'STOPPED' WHERE state <> 'INIT'", transaction: transaction);
            connection.Execute("UPDATE applications SET status = 'STOPPED', manager = NULL, manager_port = NULL, vmid = NULL WHERE status NOT IN ('INIT', 'STOPPED')",
                transaction: transaction);
            return count;
        });
        if (forgotten > 0) logger.LogWarning("forgot {Count} nodes left by the previous run; their applications are STOPPED", forgotten);
    }

    private void SetStatus(long aid, string status) => database.Write((connection, transaction) =>
        connection.Execute("UPDATE applications SET status = @status WHERE aid = @aid", new { status, aid }, transaction));

    private SemaphoreSlim Gate(long aid) => _locks.GetOrAdd(aid, _ => new SemaphoreSlim(1, 1));
}
