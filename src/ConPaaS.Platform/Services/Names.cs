namespace ConPaaS.Platform.Services;

/// <summary>The rule for names users give things (applications, services): shown in tables and logs.</summary>
public static class Names
{
    public const int MaxLength = 100;

    /// <summary>The name trimmed, or the problem with it (empty, too long, control characters) as the exception.</summary>
    public static string Check(string field, string value, Func<string, Exception> refuse)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0) throw refuse($"'{field}' must not be empty");
        if (trimmed.Length > MaxLength) throw refuse($"'{field}' is longer than {MaxLength} characters");
        if (trimmed.Any(char.IsControl)) throw refuse($"'{field}' contains control characters");
        return trimmed;
    }
}
