using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Dapper;

namespace ConPaaS.Director.Api;

/// <summary>Clouds, the nodes a user is charged for, and the version.</summary>
public static class CloudsApi
{
    public static void MapCloudsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/available_clouds", (DirectorSettings settings) => Results.Json(settings.Clouds));

        app.MapGet("/version", () => Results.Json(Version));

        app.MapGet("/list_resources", (HttpContext context, Database database) =>
        {
            var caller = Caller.User(context);
            var rows = database.Read(connection => connection.Query<Resource, string, (Resource, string)>(
                $"SELECT {string.Join(", ", Nodes.ResourceColumns.Split(", ").Select(c => "r." + c))}, a.name FROM resources r JOIN applications a ON a.aid = r.app_id WHERE a.uid = @Uid ORDER BY r.rid",
                (resource, name) => (resource, name), new { caller.Uid }, splitOn: "name").ToList());
            return Results.Json(rows.Select(row => row.Item1.Public(row.Item2)));
        });
    }

    public static string Version => typeof(CloudsApi).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "2.0.0";
}
