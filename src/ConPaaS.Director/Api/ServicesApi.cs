using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Dapper;

namespace ConPaaS.Director.Api;

/// <summary>
/// Services within an application. The director keeps the list (ids are numbered per application) and tells the
/// application manager, which runs them; starting and everything service-specific go to the manager directly.
/// </summary>
public static class ServicesApi
{
    public static readonly IReadOnlyList<string> Types = ["php", "java", "helloworld", "xtreemfs", "mysql", "generic"];

    public const string Columns = "application_id, sid, name, type, state, cloud, created";

    public static void MapServicesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/available_services", () => Results.Json(Types));

        app.MapPost("/add/{type}", async (HttpContext context, string type, Applications applications, ServiceRegistry registry, DirectorSettings settings) =>
        {
            var caller = Caller.User(context);
            if (!Types.Contains(type))
                throw ApiException.BadRequest($"unknown service type '{Shorten(type)}'; available: {string.Join(", ", Types)}");
            var p = await Parameters.ReadAsync(context);
            var application = applications.Owned(caller, p.Id("appid"));
            var name = p.Optional("name") is { } given ? Parameters.CheckName("name", given) : type;
            var cloud = p.Optional("cloud") ?? "default";
            if (!settings.Clouds.Contains(cloud)) throw ApiException.BadRequest($"unknown cloud '{Shorten(cloud)}'");

            var service = await registry.AddAsync(application, type, name, cloud, context.RequestAborted);
            return Results.Json(new { service = service.Public, application = application.Public });
        });

        app.MapPost("/remove", async (HttpContext context, Applications applications, ManagerClient managers, Database database) =>
        {
            var (application, service) = await Locate(context, applications, database);
            if (application.Status == ApplicationStatus.Running)
            {
                try
                {
                    await managers.CallAsync(application, "remove_service", new { service_id = service.Sid }, context.RequestAborted);
                }
                catch (ConPaaS.Platform.Rpc.RpcException e)
                {
                    throw ApiException.Conflict($"the application manager refused to remove service {service.Sid}: {e.Message}");
                }
            }
            Delete(database, service);
            return Results.Json(new { });
        });

        app.MapPost("/rename", async (HttpContext context, Applications applications, Database database) =>
        {
            var p = await Parameters.ReadAsync(context);
            var (_, service) = await Locate(context, applications, database);
            var name = p.Name("name");
            database.Write((connection, transaction) => connection.Execute(
                "UPDATE services SET name = @name WHERE application_id = @ApplicationId AND sid = @Sid", new { name, service.ApplicationId, service.Sid }, transaction));
            return Results.Json(new { });
        });

        app.MapMethods("/list/{aid?}", ["GET", "POST"], async (HttpContext context, string? aid, Applications applications, Database database, ManagerClient managers) =>
        {
            var caller = Caller.User(context);
            var owned = aid is null ? applications.OfUser(caller.Uid) : [applications.Owned(caller, Parameters.ParseId("aid", aid))];
            var byId = owned.ToDictionary(a => a.Aid);
            var services = database.Read(connection => connection.Query<Service>(
                $"SELECT {Columns} FROM services WHERE application_id IN @ids ORDER BY application_id, sid", new { ids = byId.Keys.ToArray() }).ToList());
            // Service states live in the managers; ask the running ones, and fall back to the stored state.
            var states = new Dictionary<(long, long), string>();
            foreach (var application in owned.Where(a => a.Status == ApplicationStatus.Running && services.Any(s => s.ApplicationId == a.Aid)))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    if ((await managers.CallAsync(application, "get_app_info", new { }, timeout.Token))?["states"] is System.Text.Json.Nodes.JsonObject known)
                        foreach (var (sid, state) in known) states[(application.Aid, long.Parse(sid))] = state?.ToString() ?? "";
                }
                catch (Exception e) when (e is ConPaaS.Platform.Rpc.RpcException or HttpRequestException or OperationCanceledException or InvalidDataException)
                {
                }
            }
            return Results.Json(services.Select(s => new
            {
                service = (states.TryGetValue((s.ApplicationId, s.Sid), out var live) ? s with { State = live } : s).Public,
                application = byId[s.ApplicationId].Public,
            }));
        });
    }

    private static async Task<(Application, Service)> Locate(HttpContext context, Applications applications, Database database)
    {
        var p = await Parameters.ReadAsync(context);
        var application = applications.Owned(Caller.User(context), p.Id("app_id"));
        var sid = p.Id("service_id");
        var service = database.Read(connection => connection.QuerySingleOrDefault<Service>(
            $"SELECT {Columns} FROM services WHERE application_id = @Aid AND sid = @sid", new { application.Aid, sid }))
            ?? throw ApiException.NotFound($"application {application.Aid} has no service {sid}");
        return (application, service);
    }

    public static void Delete(Database database, Service service) => database.Write((connection, transaction) => connection.Execute(
        "DELETE FROM services WHERE application_id = @ApplicationId AND sid = @Sid", new { service.ApplicationId, service.Sid }, transaction));

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
