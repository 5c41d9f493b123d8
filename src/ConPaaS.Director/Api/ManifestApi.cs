using System.Text.Json;
using System.Text.Json.Nodes;
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
        app.MapPost("/upload_manifest", async (HttpContext context, Applications applications) =>
        {
            var caller = Caller.User(context);
            var p = await Parameters.ReadAsync(context);
            var text = p.Files.GetFile("manifest") is { } file ? await new StreamReader(file.OpenReadStream()).ReadToEndAsync() : p.Required("manifest");
            JsonObject manifest;
            try
            {
                manifest = JsonNode.Parse(text) as JsonObject ?? throw ApiException.BadRequest("the manifest must be a JSON object");
            }
            catch (JsonException e)
            {
                throw ApiException.BadRequest($"the manifest is not valid JSON: {e.Message}");
            }
            var name = manifest["Application"] is JsonValue value && value.TryGetValue<string>(out var given)
                ? Parameters.CheckName("Application", given)
                : throw ApiException.BadRequest("the manifest's 'Application' field is missing or not a string");
            var created = applications.Create(caller.Uid, name, manifest.ToJsonString());
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
