using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;

namespace ConPaaS.Director.Api;

/// <summary>Applications: create, start, stop, rename, delete, list.</summary>
public static class ApplicationsApi
{
    public static void MapApplicationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/createapp", async (HttpContext context, Applications applications) =>
        {
            var caller = Caller.User(context);
            var p = await Parameters.ReadAsync(context);
            return Results.Json(applications.Create(caller.Uid, p.Name("name")).Public);
        });

        app.MapPost("/startapp/{aid}/{cloud?}", async (HttpContext context, string aid, string? cloud, Applications applications, DirectorSettings settings) =>
        {
            var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
            var target = cloud ?? (await Parameters.ReadAsync(context)).Optional("cloud") ?? "default";
            if (!settings.Clouds.Contains(target))
                throw ApiException.BadRequest($"unknown cloud '{target}'; available: {string.Join(", ", settings.Clouds)}");
            await applications.StartAsync(application, target);
            return Results.Json(new { });
        });

        app.MapPost("/stopapp/{aid}", async (HttpContext context, string aid, Applications applications) =>
        {
            var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
            await applications.StopAsync(application.Aid);
            return Results.Json(new { });
        });

        app.MapPost("/deleteapp/{aid}", async (HttpContext context, string aid, Applications applications) =>
        {
            var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
            await applications.DeleteAsync(application.Aid);
            return Results.Json(new { });
        });

        app.MapPost("/renameapp/{aid}", async (HttpContext context, string aid, Applications applications) =>
        {
            var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
            applications.Rename(application.Aid, (await Parameters.ReadAsync(context)).Name("name"));
            return Results.Json(new { });
        });

        // The busiest call (every client polls it): the serialized answer is kept per user until the next write.
        var listings = new System.Collections.Concurrent.ConcurrentDictionary<long, (long Generation, byte[] Json)>();
        app.MapMethods("/listapp", ["GET", "POST"], (HttpContext context, Applications applications, Database database) =>
        {
            var uid = Caller.User(context).Uid;
            var generation = database.Generation;
            if (!listings.TryGetValue(uid, out var listing) || listing.Generation != generation)
            {
                listing = (generation, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(applications.OfUser(uid).Select(a => a.Public)));
                listings[uid] = listing;
            }
            return Results.Bytes(listing.Json, "application/json; charset=utf-8");
        });
    }
}
