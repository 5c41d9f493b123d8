using System.Globalization;

namespace ConPaaS.Imaging.Common;

/// <summary>Sizes as people write them: "4MiB", "512M", "2 GiB", "31998345216", "1GB" (decimal).</summary>
public static class ByteSize
{
    public const long KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("KiB", KiB), ("MiB", MiB), ("GiB", GiB), ("TiB", TiB),
        ("kB", 1000), ("KB", 1000), ("MB", 1000_000), ("GB", 1000_000_000), ("TB", 1000_000_000_000),
        ("K", KiB), ("M", MiB), ("G", GiB), ("T", TiB), ("B", 1),
    ];

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var trimmed = text.Trim();
        long factor = 1;
        foreach (var (suffix, value) in Suffixes)
        {
            if (!trimmed.EndsWith(suffix, StringComparison.Ordinal)) continue;
            factor = value;
            trimmed = trimmed[..^suffix.Length].TrimEnd();
            break;
        }
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
        var product = number * factor;
        if (product < 0 || product > long.MaxValue || product != decimal.Truncate(product)) return false;
        bytes = (long)product;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not a size (examples: 4MiB, 2GiB, 31998345216)");

    /// <summary>The largest binary unit that divides the value exactly, e.g. 4194304 -> "4 MiB".</summary>
    public static string Format(long bytes)
    {
        foreach (var (suffix, factor) in new[] { ("TiB", TiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB) })
        {
            if (bytes >= factor && bytes % factor == 0) return $"{bytes / factor} {suffix}";
        }
        return bytes >= MiB ? $"{bytes / (double)MiB:0.##} MiB ({bytes} bytes)" : $"{bytes} bytes";
    }

    public static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    public static long AlignDown(long value, long alignment) => value / alignment * alignment;
}
