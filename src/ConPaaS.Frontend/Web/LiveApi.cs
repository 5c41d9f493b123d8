using System.Text.Json.Nodes;
using ConPaaS.Frontend.Sessions;
using ConPaaS.Platform.Services;

namespace ConPaaS.Frontend.Web;

/// <summary>
/// What the pages' script (live.js) polls so that states change without a reload: one flat object whose keys are
/// the pages' data-live names (credit, app-AID, svc-SID, nodes), and certs.zip for the logged-in user.
/// </summary>
public static class LiveApi
{
    public static void MapLiveApi(this WebApplication app)
    {
        app.MapGet("/live", LiveAsync);
        app.MapGet("/certs.zip", (HttpContext context) => SessionCookie.Session(context) is { } session
            ? Results.File(session.CertificatesZip, "application/zip", "certs.zip")
            : Results.Redirect("/login"));
    }

    private static async Task<IResult> LiveAsync(HttpContext context, SessionStore sessions, long? aid, long? sid)
    {
        if (SessionCookie.Session(context) is not { } session) return Results.Json(new { error = "log in again" }, statusCode: StatusCodes.Status401Unauthorized);
        var client = new UserClient(session, sessions.DirectorUrl);
        var token = context.RequestAborted;
        var live = new JsonObject { ["credit"] = await client.CreditAsync(token) };
        try
        {
            var applications = await client.ApplicationsAsync(token);
            foreach (var row in applications.Where(a => aid is null || UserClient.Long(a["aid"]) == aid))
                live[$"app-{UserClient.Long(row["aid"])}"] = UserClient.Text(row["status"]);
            var application = applications.FirstOrDefault(a => UserClient.Long(a["aid"]) == aid);
            if (sid is { } service && application is not null && UserClient.Text(application["status"]) == LifecycleState.Running)
            {
                // A service page: the manager's view is the live one (the director's row follows it); the node count
                // tells the page to reload its table.
                var info = await client.ManagerAsync(application, service, "get_service_info", null, token);
                live[$"svc-{service}"] = UserClient.Text(info?["state"]);
                live["nodes"] = UserClient.Long(info?["nodes"]);
            }
            else if (aid is { } id)
            {
                foreach (var row in await client.ServicesAsync(id, token))
                    live[$"svc-{UserClient.Long(row["sid"])}"] = UserClient.Text(row["state"]);
            }
        }
        catch (FrontendException e)
        {
            live["problem"] = e.Message;
        }
        return Results.Json(live);
    }
}
