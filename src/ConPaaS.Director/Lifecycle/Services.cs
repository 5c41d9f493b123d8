using System.Text.Json.Nodes;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;

namespace ConPaaS.Director.Lifecycle;

/// <summary>A service as a user sees it: its record with the live state from its manager, and its application.</summary>
public sealed record ServiceListing(Service Service, Application Application);

/// <summary>
/// Services within an application. The director numbers and lists them; the application manager runs them, so adding
/// and removing go through it, and their live states come from it.
/// </summary>
public sealed class Services(ServiceRecords records, ManagerClient managers, DirectorSettings settings)
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Numbers the service, then hands it to the running application's manager (the record goes if it refuses).</summary>
    public async Task<Service> AddAsync(Application application, string type, string? name, string? cloud, CancellationToken cancellationToken)
    {
        var service = Register(application, type, name, cloud);
        try
        {
            await managers.CallAsync(application, "add_service", new JsonObject { ["service_type"] = type, ["service_id"] = service.Sid, ["name"] = service.Name, ["cloud"] = service.Cloud }, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or TaskCanceledException)
        {
            records.Delete(service);
            throw new RefusedException(Refusal.UpstreamFailed, $"the application manager refused the service: {e.Message}");
        }
        return service;
    }

    /// <summary>Checks and numbers a service of a running application (the manager adds it to itself).</summary>
    public Service Register(Application application, string type, string? name, string? cloud)
    {
        CheckType(type);
        var checkedName = name is null ? type : Names.Check("name", name);
        var checkedCloud = Clouds.Check(settings, cloud);
        if (application.Status != LifecycleState.Running)
            throw RefusedException.Conflict($"application {application.Aid} is {application.Status}; start it before adding services");
        return records.Add(application.Aid, type, checkedName, checkedCloud);
    }

    public static ServiceType CheckType(string type) => ServiceTypes.Find(type)
        ?? throw RefusedException.Invalid($"unknown service type '{Common.Text.Shorten(type)}'; available: {string.Join(", ", ServiceTypes.All.Select(t => t.Name))}");

    public Service Find(Application application, long sid) =>
        records.Find(application.Aid, sid) ?? throw RefusedException.NotFound($"application {application.Aid} has no service {sid}");

    /// <summary>Removes a service; a running application's manager stops it first, and may refuse (it is busy).</summary>
    public async Task RemoveAsync(Application application, Service service, CancellationToken cancellationToken)
    {
        if (application.Status == LifecycleState.Running)
        {
            try
            {
                await managers.CallAsync(application, "remove_service", new JsonObject { ["service_id"] = service.Sid }, cancellationToken);
            }
            catch (RpcException e)
            {
                throw RefusedException.Conflict($"the application manager refused to remove service {service.Sid}: {e.Message}");
            }
        }
        records.Delete(service);
    }

    public void Rename(Service service, string name) => records.Rename(service, Names.Check("name", name));

    /// <summary>The services of <paramref name="applications"/>, with the states their running managers report (asked
    /// side by side; a manager that does not answer in time leaves the stored state).</summary>
    public async Task<IReadOnlyList<ServiceListing>> ListAsync(IReadOnlyList<Application> applications, CancellationToken cancellationToken)
    {
        var byId = applications.ToDictionary(a => a.Aid);
        var services = records.OfApplications(byId.Keys);
        var running = applications.Where(a => a.Status == LifecycleState.Running && services.Any(s => s.ApplicationId == a.Aid));
        var live = await Task.WhenAll(running.Select(a => LiveStatesAsync(a, cancellationToken)));
        var states = live.SelectMany(x => x).ToDictionary(x => x.Key, x => x.Value);
        return services.Select(s => new ServiceListing(
            states.TryGetValue((s.ApplicationId, s.Sid), out var state) ? s with { State = state } : s, byId[s.ApplicationId])).ToList();
    }

    private async Task<Dictionary<(long, long), string>> LiveStatesAsync(Application application, CancellationToken cancellationToken)
    {
        var states = new Dictionary<(long, long), string>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StateTimeout);
            if ((await managers.CallAsync(application, "get_app_info", new JsonObject(), timeout.Token))?["states"] is JsonObject known)
                foreach (var (sid, state) in known) states[(application.Aid, long.Parse(sid))] = state?.ToString() ?? "";
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or OperationCanceledException or InvalidDataException or FormatException)
        {
        }
        return states;
    }
}
