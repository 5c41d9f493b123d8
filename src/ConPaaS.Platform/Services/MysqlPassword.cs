namespace ConPaaS.Platform.Services;

/// <summary>What a password of mysql's user mysqldb must be: checked where a manifest gives one and where the agent
/// sets one, by the same rule.</summary>
public static class MysqlPassword
{
    /// <summary>Why <paramref name="password"/> is refused, or null when it is fine.</summary>
    public static string? Problem(string password) =>
        password.Length is < 8 or > 128 || password.Any(char.IsControl) ? "must have 8 to 128 characters, none of them control characters" : null;
}
