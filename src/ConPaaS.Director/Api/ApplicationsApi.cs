using ConPaaS.Director.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>Applications: create, start, stop, rename, delete, list.</summary>
public static class ApplicationsApi
{
    public static void MapApplicationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/createapp", CreateAsync);
        app.MapPost("/startapp/{aid}/{cloud?}", StartAsync);
        app.MapPost("/stopapp/{aid}", StopAsync);
        app.MapPost("/deleteapp/{aid}", DeleteAsync);
        app.MapPost("/renameapp/{aid}", RenameAsync);
        app.MapMethods("/listapp", ["GET", "POST"], List);
    }

    public static async Task<JsonHttpResult<object>> CreateAsync(HttpContext context, Applications applications)
    {
        var caller = Caller.User(context);
        var p = await Parameters.ReadAsync(context);
        return Answers.Json(applications.Create(caller.Uid, p.Name("name")).Public);
    }

    public static async Task<JsonHttpResult<object>> StartAsync(HttpContext context, string aid, string? cloud, Applications applications)
    {
        var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
        await applications.StartAsync(application, cloud ?? (await Parameters.ReadAsync(context)).Optional("cloud") ?? "default");
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> StopAsync(HttpContext context, string aid, Applications applications)
    {
        var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
        await applications.StopAsync(application.Aid);
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> DeleteAsync(HttpContext context, string aid, Applications applications)
    {
        var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
        await applications.DeleteAsync(application.Aid);
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> RenameAsync(HttpContext context, string aid, Applications applications)
    {
        var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
        applications.Rename(application, (await Parameters.ReadAsync(context)).Name("name"));
        return Answers.Done;
    }

    public static FileContentHttpResult List(HttpContext context, Applications applications) =>
        TypedResults.Bytes(applications.ListingJson(Caller.User(context).Uid), "application/json; charset=utf-8");
}
