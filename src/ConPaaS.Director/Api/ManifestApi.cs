using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Manifests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>
/// Manifests (the seeds' JSON format): upload checks the whole manifest, creates the application it names and keeps
/// the manifest with it; when it lists services, the application starts and its manager deploys them. Download gives
/// the manifest back.
/// </summary>
public static class ManifestApi
{
    public static void MapManifestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/upload_manifest", UploadAsync);
        app.MapGet("/download_manifest/{aid}", Download);
    }

    public static async Task<JsonHttpResult<object>> UploadAsync(HttpContext context, Applications applications, DirectorSettings settings)
    {
        var caller = Caller.User(context);
        var p = await Parameters.ReadAsync(context);
        var text = p.Files.GetFile("manifest") is { } file ? await new StreamReader(file.OpenReadStream()).ReadToEndAsync() : p.Required("manifest");
        // Files sent along (cps-tools sends local Archive and StartupScript paths this way) are named in the
        // manifest as "upload:FIELD".
        var uploads = new List<ManifestUpload>();
        foreach (var upload in p.Files.Where(f => f.Name != "manifest"))
        {
            if (uploads.Any(u => u.Field == upload.Name)) throw RefusedException.Invalid($"two files were sent as '{Common.Text.Shorten(upload.Name)}'");
            using var copy = new MemoryStream();
            await upload.CopyToAsync(copy);
            uploads.Add(new ManifestUpload(upload.Name, upload.FileName, copy.ToArray()));
        }
        var manifest = Manifest.Parse(text, settings.Clouds, uploads.ToDictionary(u => u.Field, u => u.FileName));
        var created = await applications.CreateFromManifestAsync(caller.Uid, manifest, text, uploads);
        return Answers.Json(new { aid = created.Aid, name = created.Name });
    }

    public static Results<ContentHttpResult, JsonHttpResult<object>> Download(HttpContext context, string aid, Applications applications)
    {
        var application = applications.Owned(Caller.User(context), Parameters.ParseId("aid", aid));
        return applications.Manifest(application.Aid) is { } stored
            ? TypedResults.Text(stored, "application/json")
            : Answers.Json(new { Application = application.Name });
    }
}
