using System.Globalization;

namespace ConPaaS.Director.Api;

/// <summary>
/// A call's parameters, from the form body or the query string as ConPaaS clients send them, with the checks
/// every handler needs: present, a positive id, a sane name.
/// </summary>
public sealed class Parameters
{
    public const int MaxNameLength = 100;

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public IFormFileCollection Files { get; private init; } = new FormFileCollection();

    public static async Task<Parameters> ReadAsync(HttpContext context)
    {
        var parameters = new Parameters { Files = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync(context.RequestAborted)).Files : new FormFileCollection() };
        foreach (var (key, value) in context.Request.Query) parameters._values[key] = value.ToString();
        if (context.Request.HasFormContentType)
            foreach (var (key, value) in await context.Request.ReadFormAsync(context.RequestAborted)) parameters._values[key] = value.ToString();
        return parameters;
    }

    public string? Optional(string name) => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string Required(string name) => Optional(name) ?? throw ApiException.BadRequest($"missing parameter '{name}'");

    public long Id(string name) => ParseId(name, Required(name));

    public long? OptionalId(string name) => Optional(name) is { } text ? ParseId(name, text) : null;

    public static long ParseId(string name, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw ApiException.BadRequest($"'{name}' must be a positive whole number, not '{Shorten(text)}'");

    public string Name(string name) => CheckName(name, Required(name));

    /// <summary>Names are shown in tables and logs: printable, no control characters, at most 100 characters.</summary>
    public static string CheckName(string parameter, string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0) throw ApiException.BadRequest($"'{parameter}' must not be empty");
        if (trimmed.Length > MaxNameLength) throw ApiException.BadRequest($"'{parameter}' is longer than {MaxNameLength} characters");
        if (trimmed.Any(char.IsControl)) throw ApiException.BadRequest($"'{parameter}' contains control characters");
        return trimmed;
    }

    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiException.BadRequest($"'{name}' must be a whole number from {min} to {max}, not '{Shorten(text)}'");
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
