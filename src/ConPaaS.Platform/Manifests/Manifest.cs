using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Platform.Manifests;

/// <summary>Where a service's code, dump or startup script comes from: an http(s) URL, or a file sent with the manifest.</summary>
public sealed record ManifestSource(Uri? Url, string? Upload, string FileName);

public sealed record ManifestService(ServiceType Type, string? Name, string Cloud, bool Start, ManifestSource? Archive,
    ManifestSource? StartupScript, IReadOnlyDictionary<string, int> Instances)
{
    /// <summary>mysql: a dump loaded once the service runs.</summary>
    public ManifestSource? Dump { get; init; }

    /// <summary>mysql: mysqldb's password, set once the service runs.</summary>
    public string? Password { get; init; }

    /// <summary>How many agents of each role the service should have once started: its StartupInstances, or the role's default.</summary>
    public int CountOf(ServiceRole role) => Instances.TryGetValue(role.Name, out var count) ? count : role.DefaultCount;

}

/// <summary>
/// The seeds' manifest format: Application (a default name when left out), Description, and Services, each with Type
/// (required), ServiceName, Cloud, Start (0 or 1), Archive, StartupScript, StartupInstances, and for mysql Dump and
/// Password. Everything is checked before anything is created, and an error names the field at fault, e.g.
/// <c>Services[1].Start</c>, or the line and column of broken JSON. The director checks a
/// manifest before it creates the application; the application manager, which deploys it, reads it again.
/// </summary>
public sealed record Manifest(string Application, string? Description, IReadOnlyList<ManifestService> Services)
{
    /// <summary>An application's name when the manifest gives none (the seeds: "a default application name will be chosen").</summary>
    public const string DefaultApplication = "New application";

    /// <param name="clouds">The clouds a service may name; null when the director has checked them already.</param>
    /// <param name="uploads">The files sent with the manifest: form field to original file name.</param>
    public static Manifest Parse(string text, IReadOnlyList<string>? clouds, IReadOnlyDictionary<string, string> uploads)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                   ?? throw new InvalidDataException("the manifest must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the manifest is not valid JSON {Where(text, e)}");
        }
        var application = Names.Check("Application", String(root, "Application", "Application") ?? DefaultApplication, Invalid);
        var description = String(root, "Description", "Description");
        var services = new List<ManifestService>();
        var list = root["Services"] switch
        {
            null => [],
            JsonArray array => array,
            _ => throw Field("Services", "must be a list"),
        };
        if (list.Count > 20) throw Field("Services", "lists more than 20 services");
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"Services[{i}]";
            if (list[i] is not JsonObject service) throw Field(at, "must be an object");
            var type = String(service, "Type", $"{at}.Type") ?? throw Field($"{at}.Type", "is missing");
            var serviceType = ServiceTypes.Find(type) ?? throw Field($"{at}.Type", $"'{type}' is not a service type ({string.Join(", ", ServiceTypes.All.Select(t => t.Name))})");
            if (!serviceType.Runnable) throw Field($"{at}.Type", $"'{type}' services cannot be deployed here yet ({string.Join(", ", ServiceTypes.Runnable.Select(t => t.Name))})");
            var name = String(service, "ServiceName", $"{at}.ServiceName") is { } given ? Names.Check($"{at}.ServiceName", given, Invalid) : null;
            var cloud = String(service, "Cloud", $"{at}.Cloud") ?? "default";
            if (clouds is not null && !clouds.Contains(cloud)) throw Field($"{at}.Cloud", $"'{cloud}' is not one of the clouds ({string.Join(", ", clouds)})");
            var start = service["Start"] switch
            {
                null => false,
                JsonValue v when v.TryGetValue<int>(out var n) && n is 0 or 1 => v.GetValue<int>() == 1,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                _ => throw Field($"{at}.Start", "must be 0 or 1"),
            };
            var archive = Source(service, "Archive", at, uploads);
            if (archive is not null && !serviceType.TakesCode) throw Field($"{at}.Archive", $"{type} services take no code archive");
            var script = Source(service, "StartupScript", at, uploads);
            var dump = Source(service, "Dump", at, uploads);
            var password = String(service, "Password", $"{at}.Password");
            foreach (var field in new[] { dump is null ? null : "Dump", password is null ? null : "Password" }.OfType<string>())
            {
                if (serviceType != ServiceTypes.Mysql) throw Field($"{at}.{field}", $"is for mysql services, not {type}");
                if (!start) throw Field($"{at}.{field}", "needs \"Start\": 1 (it is applied to the running service)");
            }
            if (password is not null && MysqlPassword.Problem(password) is { } problem) throw Field($"{at}.Password", problem);
            var instances = new Dictionary<string, int>();
            if (service["StartupInstances"] is { } startup)
            {
                if (startup is not JsonObject counts) throw Field($"{at}.StartupInstances", "must be an object such as {\"node\": 2}");
                foreach (var (role, count) in counts)
                {
                    var known = serviceType.Role(role) ?? throw Field($"{at}.StartupInstances.{role}", $"is not a {type} role ({string.Join(", ", serviceType.Roles.Select(r => r.Name))})");
                    // The seeds' examples write the counts as strings ("proxy": "1"); numbers are taken too.
                    if (count is not JsonValue c || !(c.TryGetValue<int>(out var n) || c.TryGetValue<string>(out var written) && int.TryParse(written, out n)) || n < 0 || n > ServiceRole.MaxAgents)
                        throw Field($"{at}.StartupInstances.{role}", $"must be a whole number from 0 to {ServiceRole.MaxAgents}");
                    if (n < known.Min || n > known.Max)
                        throw Field($"{at}.StartupInstances.{role}", known.Min == known.Max ? $"must be {known.Min}: a {type} service has exactly {known.Min}" : $"must be from {known.Min} to {known.Max}");
                    instances[role] = n;
                }
                if (!start && instances.Values.Any(n => n > 0)) throw Field($"{at}.StartupInstances", "needs \"Start\": 1");
            }
            services.Add(new ManifestService(serviceType, name, cloud, start, archive, script, instances) { Dump = dump, Password = password });
        }
        return new Manifest(application, description, services);
    }

    private static ManifestSource? Source(JsonObject service, string key, string at, IReadOnlyDictionary<string, string> uploads)
    {
        if (String(service, key, $"{at}.{key}") is not { } text) return null;
        if (text.StartsWith("upload:", StringComparison.Ordinal))
        {
            var field = text["upload:".Length..];
            if (!uploads.TryGetValue(field, out var fileName)) throw Field($"{at}.{key}", $"names the upload '{field}', which was not sent");
            return new ManifestSource(null, field, fileName);
        }
        // Plain http as the seeds' examples write it: what arrives is checked like any upload (archives by SafeArchive).
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            throw Field($"{at}.{key}", $"'{text}' is neither an http(s) URL nor a file sent with the manifest");
        var name = Path.GetFileName(url.AbsolutePath);
        return new ManifestSource(url, null, name.Length > 0 ? name : key.ToLowerInvariant());
    }

    /// <summary>"at line L, column C: what" for a JSON error. System.Text.Json counts from 0 and the column in bytes;
    /// people count lines and characters from 1.</summary>
    public static string Where(string text, JsonException error)
    {
        var what = error.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ');
        if (error.LineNumber is not { } line) return $": {what}";
        var encoded = System.Text.Encoding.UTF8.GetBytes(text.Split('\n').ElementAtOrDefault((int)line) ?? "");
        var column = System.Text.Encoding.UTF8.GetCharCount(encoded, 0, (int)Math.Min(error.BytePositionInLine ?? 0, encoded.Length)) + 1;
        return $"at line {line + 1}, column {column}: {what}";
    }

    private static string? String(JsonObject o, string key, string at) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw Field(at, "must be a string"),
    };

    private static InvalidDataException Field(string field, string problem) => Invalid($"manifest: {field} {problem}");

    private static InvalidDataException Invalid(string message) => new(message);
}
