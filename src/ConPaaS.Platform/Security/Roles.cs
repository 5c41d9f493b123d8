namespace ConPaaS.Platform.Security;

/// <summary>The roles a certificate can carry.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Manager = "manager";
    public const string Agent = "agent";
    public const string Frontend = "frontend";

    /// <summary>The director's own server certificate (it never acts as a client with it).</summary>
    public const string Director = "director";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { User, Manager, Agent, Frontend, Director };
}
