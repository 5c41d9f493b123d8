using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Security;
using Dapper;

namespace ConPaaS.Director.Api;

/// <summary>
/// The calls a manager makes on its application's behalf. A manager certificate only ever acts on its own
/// application: an <c>app_id</c> naming another one is refused, not ignored.
/// </summary>
public static class ManagerApi
{
    public const int MaxNodesPerCall = 50;

    public static void MapManagerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/create_nodes", async (HttpContext context, Applications applications, Nodes nodes, Database database, DirectorSettings settings) =>
        {
            var (application, p) = await OwnApplication(context, applications);
            var serviceId = p.Id("service_id");
            var count = p.Integer("count", 1, 1, MaxNodesPerCall);
            var cloud = p.Optional("cloud") ?? "default";
            if (!settings.Clouds.Contains(cloud)) throw ApiException.BadRequest($"unknown cloud '{cloud}'");
            var type = database.Read(connection => connection.QuerySingleOrDefault<string>(
                "SELECT type FROM services WHERE application_id = @Aid AND sid = @serviceId", new { application.Aid, serviceId }))
                ?? throw ApiException.NotFound($"application {application.Aid} has no service {serviceId}");
            var credit = database.Read(connection => connection.QuerySingle<long>("SELECT credit FROM users WHERE uid = @Uid", application));
            if (credit < count) throw ApiException.Forbidden($"{count} nodes need {count} credits; the user has {credit}");
            // Nodes start side by side: their certificates, rows and processes do not depend on each other.
            var starting = Enumerable.Range(0, count).Select(_ => nodes.StartAsync(application, serviceId, Roles.Agent, type, cloud, context.RequestAborted)).ToList();
            try
            {
                await Task.WhenAll(starting);
            }
            catch (Exception e) when (e is InvalidOperationException or Processes.ToolFailedException)
            {
                foreach (var node in starting.Where(t => t.IsCompletedSuccessfully)) await nodes.StopAsync(node.Result.Vmid);
                throw new ApiException(StatusCodes.Status503ServiceUnavailable, $"cannot create nodes: {e.Message}");
            }
            var started = starting.Select(t => t.Result).OrderBy(r => r.Rid).ToList();
            return Results.Json(started.Select(n => new { vmid = n.Vmid, ip = n.Ip, port = n.Port, cloud = n.Cloud }));
        });

        app.MapPost("/remove_nodes", async (HttpContext context, Applications applications, Nodes nodes) =>
        {
            var (application, p) = await OwnApplication(context, applications);
            var vmids = p.Required("vmids").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var owned = nodes.OfApplication(application.Aid).Where(r => r.Role != Roles.Manager).Select(r => r.Vmid).ToHashSet();
            foreach (var vmid in vmids)
                if (!owned.Contains(vmid)) throw ApiException.NotFound($"application {application.Aid} has no agent node '{vmid}'");
            foreach (var vmid in vmids) await nodes.StopAsync(vmid);
            return Results.Json(new { });
        });

        app.MapPost("/credit", async (HttpContext context, Applications applications, Users users) =>
        {
            var (application, p) = await OwnApplication(context, applications);
            var decrement = p.Integer("decrement", 0, 0, 1000);
            var credit = users.Find(application.Uid)!.Credit;
            if (decrement > 0)
            {
                if (credit < decrement) throw ApiException.Forbidden($"the user has {credit} credits, fewer than {decrement}");
                credit = users.AddCredit(application.Uid, -decrement);
            }
            return Results.Json(new { credit });
        });
    }

    public static async Task<(Application, Parameters)> OwnApplication(HttpContext context, Applications applications)
    {
        var manager = Caller.Manager(context);
        var p = await Parameters.ReadAsync(context);
        if (p.OptionalId("app_id") is { } claimed && claimed != manager.ApplicationId)
            throw ApiException.Forbidden($"a manager of application {manager.ApplicationId} cannot act on application {claimed}");
        var application = applications.Find(manager.ApplicationId);
        if (application is null || application.Uid != manager.Uid)
            throw ApiException.Forbidden($"application {manager.ApplicationId} no longer exists");
        return (application, p);
    }
}
