using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>
/// Services within an application. The director keeps the list (ids are numbered per application) and tells the
/// application manager, which runs them; starting and everything service-specific go to the manager directly.
/// </summary>
public static class ServicesApi
{
    public static void MapServicesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/available_services", () => Answers.Json(ServiceTypes.All.Select(t => t.Name).ToArray()));
        app.MapPost("/add/{type}", AddAsync);
        app.MapPost("/remove", RemoveAsync);
        app.MapPost("/rename", RenameAsync);
        app.MapMethods("/list/{aid?}", ["GET", "POST"], ListAsync);
    }

    public static async Task<JsonHttpResult<object>> AddAsync(HttpContext context, string type, Applications applications, Services services)
    {
        var caller = Caller.User(context);
        Services.CheckType(type);
        var p = await Parameters.ReadAsync(context);
        var application = applications.Owned(caller, p.Id("appid"));
        var service = await services.AddAsync(application, type, p.Optional("name"), p.Optional("cloud"), context.RequestAborted);
        return Answers.Json(new { service = service.Public, application = application.Public });
    }

    public static async Task<JsonHttpResult<object>> RemoveAsync(HttpContext context, Applications applications, Services services)
    {
        var p = await Parameters.ReadAsync(context);
        var application = applications.Owned(Caller.User(context), p.Id("app_id"));
        await services.RemoveAsync(application, services.Find(application, p.Id("service_id")), context.RequestAborted);
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> RenameAsync(HttpContext context, Applications applications, Services services)
    {
        var p = await Parameters.ReadAsync(context);
        var application = applications.Owned(Caller.User(context), p.Id("app_id"));
        var service = services.Find(application, p.Id("service_id"));
        services.Rename(service, p.Required("name"));
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> ListAsync(HttpContext context, string? aid, Applications applications, Services services)
    {
        var caller = Caller.User(context);
        var owned = aid is null ? applications.OfUser(caller.Uid) : [applications.Owned(caller, Parameters.ParseId("aid", aid))];
        var listed = await services.ListAsync(owned, context.RequestAborted);
        return Answers.Json(listed.Select(s => new { service = s.Service.Public, application = s.Application.Public }));
    }
}
