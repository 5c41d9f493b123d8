using ConPaaS.Director.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>Clouds, the nodes a user is charged for, and the version.</summary>
public static class CloudsApi
{
    public static void MapCloudsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/available_clouds", (DirectorSettings settings) => Answers.Json(settings.Clouds));
        app.MapGet("/version", () => Answers.Json(Version));
        app.MapGet("/list_resources", ListResources);
    }

    public static JsonHttpResult<object> ListResources(HttpContext context, Nodes nodes) =>
        Answers.Json(nodes.OfUser(Caller.User(context).Uid).Select(row => row.Resource.Public(row.ApplicationName)));

    public static string Version => typeof(CloudsApi).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "2.0.0";
}
