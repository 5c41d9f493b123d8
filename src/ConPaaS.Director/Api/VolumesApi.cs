using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Dapper;

namespace ConPaaS.Director.Api;

/// <summary>
/// Volumes, on a manager's behalf: create (size in MB, rounded up to the driver's unit), attach to and detach from
/// one of the application's nodes, destroy (only when detached).
/// </summary>
public static class VolumesApi
{
    private const string Columns = "vid, name, app_id, size_mb, cloud, vmid, created";
    public const long MaxSizeMb = 1 << 20;

    public static void MapVolumesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/create_volume", async (HttpContext context, Applications applications, ICloudDriver driver, Database database, DirectorSettings settings) =>
        {
            var (application, p) = await ManagerApi.OwnApplication(context, applications);
            var name = VolumeName(p.Required("volume_name"));
            var requested = p.Integer("volume_size", 0, 1, (int)MaxSizeMb);
            var size = (requested + driver.VolumeUnitMb - 1) / driver.VolumeUnitMb * driver.VolumeUnitMb;
            var cloud = p.Optional("cloud") ?? "default";
            if (!settings.Clouds.Contains(cloud)) throw ApiException.BadRequest($"unknown cloud '{cloud}'");
            var volume = database.Write((connection, transaction) =>
            {
                if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM volumes WHERE app_id = @Aid AND name = @name", new { application.Aid, name }, transaction) > 0)
                    throw ApiException.Conflict($"application {application.Aid} already has a volume '{name}'");
                return connection.QuerySingle<Volume>(
                    $"INSERT INTO volumes (name, app_id, size_mb, cloud, created) VALUES (@name, @Aid, @size, @cloud, @created) RETURNING {Columns}",
                    new { name, application.Aid, size, cloud, created = DateTimeOffset.UtcNow.ToString("O") }, transaction);
            });
            try
            {
                await driver.CreateVolumeAsync(VolumeId(volume), size, context.RequestAborted);
            }
            catch
            {
                Delete(database, volume);
                throw;
            }
            return Results.Json(volume.Public);
        });

        app.MapPost("/attach_volume", async (HttpContext context, Applications applications, ICloudDriver driver, Nodes nodes, Database database) =>
        {
            var (application, p) = await ManagerApi.OwnApplication(context, applications);
            var volume = Find(database, application.Aid, p.Required("volume_name"));
            var vmid = p.Required("vmid");
            if (nodes.OfApplication(application.Aid).All(r => r.Vmid != vmid))
                throw ApiException.NotFound($"application {application.Aid} has no node '{vmid}'");
            if (volume.Vmid is not null) throw ApiException.Conflict($"volume '{volume.Name}' is attached to {volume.Vmid}");
            await driver.AttachVolumeAsync(VolumeId(volume), vmid, volume.Name);
            database.Write((connection, transaction) => connection.Execute("UPDATE volumes SET vmid = @vmid WHERE vid = @Vid", new { vmid, volume.Vid }, transaction));
            return Results.Json(volume with { Vmid = vmid } is var attached ? attached.Public : null);
        });

        app.MapPost("/detach_volume", async (HttpContext context, Applications applications, ICloudDriver driver, Database database) =>
        {
            var (application, p) = await ManagerApi.OwnApplication(context, applications);
            var volume = Find(database, application.Aid, p.Required("volume_name"));
            if (volume.Vmid is null) throw ApiException.Conflict($"volume '{volume.Name}' is not attached");
            await driver.DetachVolumeAsync(VolumeId(volume), volume.Vmid, volume.Name);
            database.Write((connection, transaction) => connection.Execute("UPDATE volumes SET vmid = NULL WHERE vid = @Vid", volume, transaction));
            return Results.Json(new { });
        });

        app.MapPost("/destroy_volume", async (HttpContext context, Applications applications, ICloudDriver driver, Database database) =>
        {
            var (application, p) = await ManagerApi.OwnApplication(context, applications);
            var volume = Find(database, application.Aid, p.Required("volume_name"));
            if (volume.Vmid is not null) throw ApiException.Conflict($"volume '{volume.Name}' is attached to {volume.Vmid}; detach it first");
            await driver.DestroyVolumeAsync(VolumeId(volume));
            Delete(database, volume);
            return Results.Json(new { });
        });
    }

    /// <summary>Volume names become file and link names: letters, digits, '-', '_', '.', at most 64, no leading dot.</summary>
    private static string VolumeName(string name) =>
        name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? name
            : throw ApiException.BadRequest("'volume_name' must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'");

    private static Volume Find(Database database, long aid, string name) => database.Read(connection =>
        connection.QuerySingleOrDefault<Volume>($"SELECT {Columns} FROM volumes WHERE app_id = @aid AND name = @name", new { aid, name }))
        ?? throw ApiException.NotFound($"application {aid} has no volume '{name}'");

    private static void Delete(Database database, Volume volume) =>
        database.Write((connection, transaction) => connection.Execute("DELETE FROM volumes WHERE vid = @Vid", volume, transaction));

    private static string VolumeId(Volume volume) => Nodes.VolumeId(volume.Vid);
}
