using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Dapper;

namespace ConPaaS.Director.Api;

/// <summary>
/// Manifests (the seeds' JSON format): upload creates the application it names and keeps the manifest with it;
/// download gives it back. Deploying the services it lists is the application manager's part.
/// </summary>
public static class ManifestApi
{
    public static void MapManifestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/upload_manifest", async (HttpContext context, Applications applications, Deployer deployer, DirectorSettings settings) =>
        {
            var caller = Caller.User(context);
            var p = await Parameters.ReadAsync(context);
            var text = p.Files.GetFile("manifest") is { } file ? await new StreamReader(file.OpenReadStream()).ReadToEndAsync() : p.Required("manifest");
            // Files sent along (cps-tools sends local Archive and StartupScript paths this way) are named in the
            // manifest as "upload:FIELD".
            var uploads = new Dictionary<string, byte[]>();
            var names = new Dictionary<string, string>();
            foreach (var upload in p.Files.Where(f => f.Name != "manifest"))
            {
                using var copy = new MemoryStream();
                await upload.CopyToAsync(copy);
                uploads[upload.Name] = copy.ToArray();
                names[upload.Name] = upload.FileName;
            }
            var manifest = Manifest.Parse(text, settings.Clouds, names);
            var created = applications.Create(caller.Uid, manifest.Application, text);
            deployer.Start(created, manifest, uploads);
            return Results.Json(new { aid = created.Aid, name = created.Name });
        });

        app.MapGet("/download_manifest/{aid}", (HttpContext context, string aid, Applications applications, Database database) =>
        {
            var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
            var stored = database.Read(connection => connection.QuerySingle<string?>("SELECT manifest FROM applications WHERE aid = @Aid", application));
            return stored is null
                ? Results.Json(new { Application = application.Name })
                : Results.Text(stored, "application/json");
        });
    }
}
