using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools;

/// <summary>
/// Reads a manifest for upload. An Archive, StartupScript or Dump that is a local path (not an https URL) is sent with the
/// manifest, which then names it "upload:FIELD"; a missing file is an error naming the field.
/// </summary>
public static class ManifestFiles
{
    public static async Task<(string Text, IReadOnlyList<(string Field, string Path)> Uploads)> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists) throw new CliException($"{file.FullName}: no such file");
        if (file.Length > 1 << 20) throw new CliException($"{file.FullName}: a manifest larger than 1 MiB is not plausible");
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliException($"{file.Name} is not valid JSON {Platform.Manifests.Manifest.Where(text, e)}");
        }
        var uploads = new List<(string, string)>();
        if (root?["Services"] is not JsonArray services) return (text, uploads);
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is not JsonObject service) continue;
            foreach (var key in new[] { "Archive", "StartupScript", "Dump" })
            {
                if (service[key] is not JsonValue value || !value.TryGetValue<string>(out var source)) continue;
                if (source.StartsWith("https://", StringComparison.Ordinal) || source.StartsWith("http://", StringComparison.Ordinal)) continue;
                var path = Path.IsPathRooted(source) ? source : Path.Combine(file.DirectoryName!, source);
                if (!File.Exists(path)) throw new CliException($"manifest: Services[{i}].{key} names {path}, which does not exist");
                var field = $"{key.ToLowerInvariant()}_{i}";
                uploads.Add((field, path));
                service[key] = $"upload:{field}";
            }
        }
        return (root.ToJsonString(), uploads);
    }
}
