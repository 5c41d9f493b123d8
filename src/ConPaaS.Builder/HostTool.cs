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
    /// <summary>Debian's package database (dpkg is essential on every Debian system): a package's state and version.</summary>
    public static readonly HostTool DpkgQuery = new("dpkg-query", "dpkg");

    /// <summary>Compares Debian versions (<c>--compare-versions</c>).</summary>
    public static readonly HostTool Dpkg = new("dpkg", "dpkg");

    /// <summary>What the check of <see cref="MinimumVersion"/> runs, before any target: every plan's, whatever it declares.</summary>
    public static IReadOnlyList<HostTool> VersionCheckTools => [DpkgQuery, Dpkg];

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
        // "ii": installed, not merely remembered (a removed package keeps its version in the database).
        var installed = (await DpkgQuery.Command("--show", "--showformat=${db:Status-Abbrev} ${Version}", Package)
            .RunAsync(cancellationToken, allowFailure: true)).StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (installed is not ["ii", var version]) return false;
        return (await Dpkg.Command("--compare-versions", version, "ge", MinimumVersion).RunAsync(cancellationToken, allowFailure: true)).Succeeded;
    }

    /// <summary>What a plan needs and lacks: the tools to install, each once (optional and SDK tools never are).</summary>
    public static async Task<IReadOnlyList<HostTool>> MissingAsync(IEnumerable<HostTool> declared, CancellationToken cancellationToken)
    {
        var missing = new List<HostTool>();
        foreach (var tool in declared.Where(t => t.Package is not null && !t.Optional).DistinctBy(t => t.Name))
            if (!await tool.IsInstalledAsync(cancellationToken)) missing.Add(tool);
        return missing;
    }

    /// <summary>
    /// What apt installs the tool from: its package, or package/CODENAME-backports when a minimum version is set (the
    /// one use, QEMU, is newer there than in bookworm itself; apt then takes what the package needs from there too).
    /// </summary>
    public string AptPackage => MinimumVersion is null ? Package! : $"{Package}/{ReleaseBackports}";

    /// <summary>One line of <c>--missing-tools</c>, as build.sh and build.ps1 read it: the command and <see cref="AptPackage"/>.</summary>
    public string MissingLine => $"{Name} {AptPackage}";

    /// <summary>This host's release's backports suite (bookworm-backports), from /etc/os-release.</summary>
    private static string ReleaseBackports => (File.Exists("/etc/os-release")
        ? File.ReadLines("/etc/os-release").Select(l => l.Split('=', 2)).FirstOrDefault(kv => kv[0] == "VERSION_CODENAME")?[1].Trim('"')
        : null) is { Length: > 0 } codename ? $"{codename}-backports" : throw new InvalidOperationException("/etc/os-release names no VERSION_CODENAME: not a Debian host");
}
