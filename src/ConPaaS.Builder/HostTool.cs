using ConPaaS.Processes;

namespace ConPaaS.Builder;

/// <summary>
/// A program the build runs on the host, and the Debian package that provides it. Each one is declared once, as a
/// static field beside the code that runs it, and commands are built from the declaration (<see cref="Command"/>),
/// so the declarations are the whole truth: every target lists those of the code it uses (<c>Target.Tools</c>),
/// and <c>./build.sh</c> installs what its plan lacks. Build.Tests checks that no target runs a tool its plan does
/// not declare.
/// </summary>
/// <param name="Name">The command as found on PATH (plus the sbin directories).</param>
/// <param name="Package">The Debian package to install it from; null when the build never installs it (the .NET
/// SDK, which build.sh requires before anything else).</param>
public sealed record HostTool(string Name, string? Package)
{
    /// <summary>Used when present and done without otherwise: declared, but never reported missing.</summary>
    public bool Optional { get; init; }

    /// <summary>A command running this tool with <paramref name="arguments"/>.</summary>
    public Command Command(params IEnumerable<string> arguments) => new(Name, arguments);

    public bool IsInstalled => ProcessRunner.IsOnPath(Name);

    /// <summary>What a plan needs and lacks: the tools to install, each once (optional and SDK tools never are).</summary>
    public static IReadOnlyList<HostTool> Missing(IEnumerable<HostTool> declared) =>
        declared.Where(t => t.Package is not null && !t.Optional).DistinctBy(t => t.Name).Where(t => !t.IsInstalled).ToList();
}
