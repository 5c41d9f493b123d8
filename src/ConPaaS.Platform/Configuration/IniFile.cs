namespace ConPaaS.Platform.Configuration;

/// <summary>
/// An INI file as ConPaaS wrote them (director.cfg, cps-tools.conf): [sections], <c>KEY = value</c> or
/// <c>KEY: value</c>, comments starting with # or ;. Section and key names are case-insensitive.
/// </summary>
public sealed class IniFile
{
    private readonly Dictionary<string, Dictionary<string, string>> _sections = new(StringComparer.OrdinalIgnoreCase);

    public string Source { get; }

    private IniFile(string source) => Source = source;

    public static IniFile Empty(string source = "(none)") => new(source);

    public static IniFile Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses INI text; a line that is neither a section, a key nor a comment fails with file:line.</summary>
    public static IniFile Parse(string text, string source)
    {
        var file = new IniFile(source);
        Dictionary<string, string>? section = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                if (!line.EndsWith(']') || line.Length < 3)
                    throw new InvalidDataException($"{source}:{lineNumber}: malformed section header '{line}'");
                var name = line[1..^1].Trim();
                if (!file._sections.TryGetValue(name, out section))
                    file._sections[name] = section = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                continue;
            }
            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
                throw new InvalidDataException($"{source}:{lineNumber}: expected 'KEY = value', found '{line}'");
            if (section is null)
                throw new InvalidDataException($"{source}:{lineNumber}: '{line[..separator].Trim()}' is outside any [section]");
            section[line[..separator].Trim()] = line[(separator + 1)..].Trim();
        }
        return file;
    }

    public string? Get(string section, string key) =>
        _sections.TryGetValue(section, out var values) && values.TryGetValue(key, out var value) ? value : null;

    public bool HasSection(string section) => _sections.ContainsKey(section);

    /// <summary>Sets a value (the director's overrides and the sandbox's generated configuration use this).</summary>
    public void Set(string section, string key, string value)
    {
        if (!_sections.TryGetValue(section, out var values))
            _sections[section] = values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        values[key] = value;
    }
}
