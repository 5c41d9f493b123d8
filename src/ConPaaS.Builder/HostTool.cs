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
    /// <summary>Debian's package manager (essential on every Debian system): which version of a package is installed.</summary>
    public static readonly HostTool DpkgQuery = new("dpkg-query", "dpkg");

    /// <summary>Compares Debian versions (<c>--compare-versions</c>).</summary>
    public static readonly HostTool Dpkg = new("dpkg", "dpkg");

    /// <summary>Used when present and done without otherwise: declared, but never reported missing.</summary>
    public bool Optional { get; init; }

    /// <summary>
    /// The oldest version of <see cref="Package"/> the build works with (Debian's version syntax), or null for any.
    /// A tool on PATH from an older package counts as missing; when the host's release carries only older versions,
    /// build.sh installs the package from that release's backports.
    /// </summary>
    public string? MinimumVersion { get; init; }

    /// <summary>A command running this tool with <paramref name="arguments"/>.</summary>
    public Command Command(params IEnumerable<string> arguments) => new(Name, arguments);

    public async Task<bool> IsInstalledAsync(CancellationToken cancellationToken)
    {
        if (!ProcessRunner.IsOnPath(Name)) return false;
        if (MinimumVersion is null || Package is null) return true;
        var installed = await DpkgQuery.Command("--show", "--showformat=${Version}", Package).RunAsync(cancellationToken, allowFailure: true);
        if (!installed.Succeeded) return false;
        var newEnough = await Dpkg.Command("--compare-versions", installed.StandardOutput.Trim(), "ge", MinimumVersion)
            .RunAsync(cancellationToken, allowFailure: true);
        return newEnough.Succeeded;
    }

    /// <summary>What a plan needs and lacks: the tools to install, each once (optional and SDK tools never are).</summary>
    public static async Task<IReadOnlyList<HostTool>> MissingAsync(IEnumerable<HostTool> declared, CancellationToken cancellationToken)
    {
        var missing = new List<HostTool>();
        foreach (var tool in declared.Where(t => t.Package is not null && !t.Optional).DistinctBy(t => t.Name))
            if (!await tool.IsInstalledAsync(cancellationToken)) missing.Add(tool);
        return missing;
    }

    /// <summary>One line of <c>--missing-tools</c>, as build.sh reads it: the command, the package and, when set, the minimum version.</summary>
    public string MissingLine => MinimumVersion is null ? $"{Name} {Package}" : $"{Name} {Package} {MinimumVersion}";
}
