using System.Globalization;
using ConPaaS.Director.Lifecycle;
using static ConPaaS.Common.Text;

namespace ConPaaS.Director.Api;

/// <summary>
/// A call's parameters, from the form body or the query string as ConPaaS clients send them, with the checks
/// every handler needs: present, a positive id, a sane name.
/// </summary>
public sealed class Parameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public IFormFileCollection Files { get; private init; } = new FormFileCollection();

    public static async Task<Parameters> ReadAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await ReadFormAsync(context) : null;
        var parameters = new Parameters { Files = form?.Files ?? new FormFileCollection() };
        foreach (var (key, value) in context.Request.Query) parameters._values[key] = value.ToString();
        foreach (var (key, value) in form ?? FormCollection.Empty) parameters._values[key] = value.ToString();
        return parameters;
    }

    /// <summary>The form, or a refusal saying it is broken (a multipart body cut short, a bad boundary): bad input,
    /// not our failure. Too large stays too large (413: BadHttpRequestException is an IOException too).</summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is (IOException and not BadHttpRequestException) or InvalidDataException && !context.RequestAborted.IsCancellationRequested)
        {
            throw RefusedException.Invalid($"the request body is not a readable form: {e.Message}");
        }
    }

    public string? Optional(string name) => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string Required(string name) => Optional(name) ?? throw RefusedException.Invalid($"missing parameter '{name}'");

    public long Id(string name) => ParseId(name, Required(name));

    public long? OptionalId(string name) => Optional(name) is { } text ? ParseId(name, text) : null;

    public static long ParseId(string name, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw RefusedException.Invalid($"'{name}' must be a positive whole number, not '{Shorten(text)}'");

    public string Name(string name) => Names.Check(name, Required(name));

    public int Integer(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw RefusedException.Invalid($"'{name}' must be a whole number from {min} to {max}, not '{Shorten(text)}'");
    }
}
