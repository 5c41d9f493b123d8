namespace ConPaaS.Platform.Services;

/// <summary>A role a service's agents can hold: how many agents of it a manifest gets when it names none, and the
/// fewest and most a service may have.</summary>
public sealed record ServiceRole(string Name, int DefaultCount, int Min = 0, int Max = ServiceRole.MaxAgents)
{
    public const int MaxAgents = 50;
}

/// <summary>
/// A service type as every program sees it: its name, its roles (the first is the role of the agent a service starts
/// with), whether it takes code versions (archives, git pushes) and whether this release runs it. The manager and agent halves live in a folder of their own on each side
/// and find their descriptor here; the director, cps-tools and the build read the list.
/// </summary>
public sealed record ServiceType(string Name, string Description, IReadOnlyList<ServiceRole> Roles, bool TakesCode, bool Runnable)
{
    public ServiceRole FirstRole => Roles[0];

    public ServiceRole? Role(string name) => Roles.FirstOrDefault(r => r.Name == name);
}
