using ConPaaS.Builder;
namespace ConPaaS.Build;

/// <summary>A named unit of work. Targets it depends on run first, each once per build.</summary>
internal sealed record Target(string Name, string Description, IReadOnlyList<string> DependsOn, Func<BuildContext, Task> Run);
