using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>
/// The calls a manager makes on its application's behalf. A manager certificate only ever acts on its own
/// application: an <c>app_id</c> naming another one is refused, not ignored.
/// </summary>
public static class ManagerApi
{
    public static void MapManagerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/create_nodes", CreateNodesAsync);
        app.MapPost("/remove_nodes", RemoveNodesAsync);
        app.MapPost("/credit", CreditAsync);
        app.MapPost("/register_service", RegisterServiceAsync);
    }

    public static async Task<JsonHttpResult<object>> CreateNodesAsync(HttpContext context, Applications applications, Services services, Nodes nodes)
    {
        var (application, p) = await OwnApplicationAsync(context, applications);
        var service = services.Find(application, p.Id("service_id"));
        var started = await nodes.StartAgentsAsync(application, service, p.Integer("count", 1, 1, Nodes.MaxAgentsPerCall), p.Optional("cloud") ?? "default", context.RequestAborted);
        return Answers.Json(started.Select(n => new { vmid = n.Vmid, ip = n.Ip, port = n.Port, cloud = n.Cloud }));
    }

    public static async Task<JsonHttpResult<object>> RemoveNodesAsync(HttpContext context, Applications applications, Nodes nodes)
    {
        var (application, p) = await OwnApplicationAsync(context, applications);
        await nodes.StopAgentsAsync(application, p.Required("vmids").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> CreditAsync(HttpContext context, Applications applications, Accounts accounts)
    {
        var (application, p) = await OwnApplicationAsync(context, applications);
        return Answers.Json(new { credit = accounts.Charge(application.Uid, p.Integer("decrement", 0, 0, 1000)) });
    }

    /// <summary>A service the manager adds by itself (deploying a manifest): numbered and recorded here, run there.</summary>
    public static async Task<JsonHttpResult<object>> RegisterServiceAsync(HttpContext context, Applications applications, Services services)
    {
        var (application, p) = await OwnApplicationAsync(context, applications);
        var service = services.Register(application, p.Required("type"), p.Optional("name"), p.Optional("cloud"));
        return Answers.Json(service.Public);
    }

    /// <summary>The caller's own application and the call's parameters.</summary>
    public static async Task<(Application, Parameters)> OwnApplicationAsync(HttpContext context, Applications applications)
    {
        var manager = Caller.Manager(context);
        var p = await Parameters.ReadAsync(context);
        return (applications.OfManager(manager, p.OptionalId("app_id")), p);
    }
}
