using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools;

/// <summary>
/// How results are printed: ConPaaS's plain tables (a header, a dashed line, rows; numbers right-aligned) and
/// messages, or with --json the director's JSON as it came, for scripts.
/// </summary>
public sealed class Output(bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool Json => json;

    /// <summary>Prints <paramref name="text"/>, or the JSON <paramref name="data"/> in --json mode.</summary>
    public void Message(string text, JsonNode? data)
    {
        if (json) Console.WriteLine(data?.ToJsonString(Indented) ?? "null");
        else Console.WriteLine(text);
    }

    public void Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows, JsonNode? data)
    {
        if (json)
        {
            Console.WriteLine(data?.ToJsonString(Indented) ?? "[]");
            return;
        }
        Console.Write(FormatTable(columns, rows.ToList()));
    }

    public static string FormatTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var numeric = columns.Select((_, i) => rows.Count > 0 && rows.All(r => r[i].Length > 0 && r[i].All(char.IsAsciiDigit))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join(" ", cells.Select((cell, i) => numeric[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd();
        var header = Line(columns);
        var text = new System.Text.StringBuilder();
        text.AppendLine(header).AppendLine(new string('-', Math.Max(header.Length, widths.Sum() + widths.Length - 1)));
        foreach (var row in rows) text.AppendLine(Line(row));
        return text.ToString();
    }

    /// <summary>A JSON value as a table cell: strings bare, null as empty.</summary>
    public static string Cell(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
