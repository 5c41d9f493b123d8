using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ConPaaS.Imaging.Common;

/// <summary>
/// A YAML mapping read with its positions, so every complaint about a layout, hardware description or recipe
/// names the file, the line and the key at fault. Unknown keys are errors: a typo must not be silently ignored.
/// </summary>
public sealed class YamlMap
{
    private readonly YamlMappingNode _node;

    private YamlMap(string file, YamlMappingNode node)
    {
        File = file;
        _node = node;
    }

    public string File { get; }

    public int Line => (int)_node.Start.Line;

    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public static YamlMap Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static YamlMap Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}:{e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataException($"{file}:1: expected a mapping of keys to values at the top");
        return new YamlMap(file, root);
    }

    public InvalidDataException Error(string key, string message) =>
        new($"{File}:{LineOf(key)}: {key}: {message}");

    public InvalidDataException Error(string message) => new($"{File}:{Line}: {message}");

    public bool Has(string key) => Find(key) is not null;

    /// <summary>Fails on any key not in <paramref name="allowed"/>, naming it and the keys that are.</summary>
    public void RejectUnknownKeys(params string[] allowed)
    {
        foreach (var (key, _) in _node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
                throw new InvalidDataException($"{File}:{key.Start.Line}: unknown key '{name}' (known: {string.Join(", ", allowed)})");
        }
    }

    public string? String(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw Error(key, "expected a single value"),
    };

    public string RequireString(string key) =>
        String(key) is { Length: > 0 } value ? value : throw Error(key, "is required");

    public long? Size(string key) => String(key) is { } text
        ? ByteSize.TryParse(text, out var bytes) ? bytes : throw Error(key, $"'{text}' is not a size (examples: 4MiB, 2GiB, 31998345216)")
        : null;

    public int? Int(string key) => String(key) is { } text
        ? int.TryParse(text, out var value) ? value : throw Error(key, $"'{text}' is not a whole number")
        : null;

    public bool? Bool(string key) => String(key) switch
    {
        null => null,
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var other => throw Error(key, $"'{other}' is not true or false"),
    };

    public T? Enum<T>(string key) where T : struct, System.Enum => String(key) is { } text ? ParseEnum<T>(key, text) : null;

    /// <summary>A list of enum values, each spelled as in the files ("rootfs-tar"); an absent key is an empty list.</summary>
    public IReadOnlyList<T> Enums<T>(string key) where T : struct, System.Enum => Strings(key).Select(text => ParseEnum<T>(key, text)).ToList();

    private T ParseEnum<T>(string key, string text) where T : struct, System.Enum
    {
        var normalized = text.Replace("-", "").Replace("_", "");
        return System.Enum.TryParse<T>(normalized, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw Error(key, $"'{text}' is not one of: {string.Join(", ", System.Enum.GetNames<T>().Select(Kebab))}");
    }

    public IReadOnlyList<string> Strings(string key) => Find(key) switch
    {
        null => [],
        YamlSequenceNode list => list.Children.Select(item => item is YamlScalarNode s ? s.Value ?? ""
            : throw new InvalidDataException($"{File}:{item.Start.Line}: {key}: expected a list of single values")).ToList(),
        _ => throw Error(key, "expected a list"),
    };

    public IReadOnlyList<YamlMap> Maps(string key) => Find(key) switch
    {
        null => [],
        YamlSequenceNode list => list.Children.Select(item => item is YamlMappingNode map ? new YamlMap(File, map)
            : throw new InvalidDataException($"{File}:{item.Start.Line}: {key}: each item must be a mapping of keys to values")).ToList(),
        _ => throw Error(key, "expected a list"),
    };

    public YamlMap? Map(string key) => Find(key) switch
    {
        null => null,
        YamlMappingNode map => new YamlMap(File, map),
        _ => throw Error(key, "expected a mapping of keys to values"),
    };

    /// <summary>"BiosBoot" -> "bios-boot", the spelling the files use.</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private YamlNode? Find(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain };

    private int LineOf(string key) =>
        _node.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == key)?.Start.Line is { } line ? (int)line : Line;
}
