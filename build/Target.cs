using ConPaaS.Builder;

namespace ConPaaS.Build;

/// <summary>A named unit of work. Targets it depends on run first, each once per build.</summary>
internal sealed record Target(string Name, string Description, IReadOnlyList<string> DependsOn, Func<BuildContext, Task> Run)
{
    /// <summary>
    /// The declarations of every host tool its code can run (each stage's or target's own list), plus those the
    /// programs it starts need. The plan's tools are these of every target in it; Build.Tests checks they are complete.
    /// </summary>
    public IReadOnlyList<HostTool> Tools { get; init; } = [];
}
