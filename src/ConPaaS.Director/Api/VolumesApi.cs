using ConPaaS.Director.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>Volumes, on a manager's behalf (see <see cref="Volumes"/>).</summary>
public static class VolumesApi
{
    public static void MapVolumesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/create_volume", CreateAsync);
        app.MapPost("/attach_volume", AttachAsync);
        app.MapPost("/detach_volume", DetachAsync);
        app.MapPost("/destroy_volume", DestroyAsync);
    }

    public static async Task<JsonHttpResult<object>> CreateAsync(HttpContext context, Applications applications, Volumes volumes)
    {
        var (application, p) = await ManagerApi.OwnApplicationAsync(context, applications);
        var name = p.Required("volume_name");
        var volume = await volumes.CreateAsync(application, name, p.Integer("volume_size", 0, 1, (int)Volumes.MaxSizeMb), p.Optional("cloud"), context.RequestAborted);
        return Answers.Json(volume.Public);
    }

    public static async Task<JsonHttpResult<object>> AttachAsync(HttpContext context, Applications applications, Volumes volumes)
    {
        var (application, p) = await ManagerApi.OwnApplicationAsync(context, applications);
        var (volume, device) = await volumes.AttachAsync(application, p.Required("volume_name"), p.Required("vmid"));
        return Answers.Json(new { volume = volume.Public, device = device?.Device, mount_point = device?.MountPoint });
    }

    public static async Task<JsonHttpResult<object>> DetachAsync(HttpContext context, Applications applications, Volumes volumes)
    {
        var (application, p) = await ManagerApi.OwnApplicationAsync(context, applications);
        await volumes.DetachAsync(application, p.Required("volume_name"));
        return Answers.Done;
    }

    public static async Task<JsonHttpResult<object>> DestroyAsync(HttpContext context, Applications applications, Volumes volumes)
    {
        var (application, p) = await ManagerApi.OwnApplicationAsync(context, applications);
        await volumes.DestroyAsync(application, p.Required("volume_name"));
        return Answers.Done;
    }
}
