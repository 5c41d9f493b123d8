using ConPaaS.Builder;
using System.Text;

namespace ConPaaS.Build;

/// <summary>The build host's command line: --target NAME, --dry-run, --help.</summary>
internal sealed record BuildOptions(string Target, bool DryRun, bool Help, bool MissingTools = false)
{
    public static BuildOptions Parse(IReadOnlyList<string> args)
    {
        var target = BuildTargets.Default;
        bool dryRun = false, help = false, missingTools = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--target" or "-t":
                    if (i + 1 >= args.Count) throw new BuildException($"{arg} needs a target name");
                    target = args[++i];
                    break;
                case var _ when arg.StartsWith("--target=", StringComparison.Ordinal):
                    target = arg["--target=".Length..];
                    break;
                case "--dry-run" or "-n":
                    dryRun = true;
                    break;
                case "--missing-tools":
                    missingTools = true;
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                default:
                    throw new BuildException($"unknown argument '{arg}'");
            }
        }
        return new BuildOptions(target, dryRun, help, missingTools);
    }

    public static string Usage(TargetGraph graph)
    {
        var text = new StringBuilder()
            .AppendLine("usage: ./build.sh [--target NAME] [--dry-run] [--help]")
            .AppendLine()
            .AppendLine("  --target NAME, -t NAME  the target to build (default: " + BuildTargets.Default + ")")
            .AppendLine("  --dry-run, -n           print the plan (targets in order, missing host tools) and do nothing")
            .AppendLine("  --missing-tools         print 'tool package' for each host tool the plan needs and lacks (build.sh uses it)")
            .AppendLine("  --help, -h              this text")
            .AppendLine()
            .AppendLine("targets:");
        foreach (var target in graph.All)
        {
            var needs = target.DependsOn.Count == 0 ? "" : $" (after {string.Join(", ", target.DependsOn)})";
            text.AppendLine($"  {target.Name,-14} {target.Description}{needs}");
        }
        return text.ToString();
    }
}
