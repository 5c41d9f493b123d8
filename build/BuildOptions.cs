using System.CommandLine;
using System.Text;

namespace ConPaaS.Build;

/// <summary>The build host's command line, parsed by System.CommandLine: --target NAME, --dry-run, --missing-tools, --help.</summary>
internal sealed record BuildOptions(string Target, bool DryRun, bool Help, bool MissingTools = false)
{
    private static readonly Option<string> TargetOption = new("--target", "-t")
    {
        Description = $"the target to build (default: {BuildTargets.Default})",
        HelpName = "NAME",
        DefaultValueFactory = _ => BuildTargets.Default,
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run", "-n")
    {
        Description = "print the plan (targets in order, missing host tools) and do nothing",
    };

    private static readonly Option<bool> MissingToolsOption = new("--missing-tools")
    {
        Description = "print 'tool package' for each host tool the plan needs and lacks (build.sh uses it)",
    };

    private static readonly Option<bool> HelpOption = new("--help", "-h", "-?") { Description = "this text" };

    private static readonly Option[] All = [TargetOption, DryRunOption, MissingToolsOption, HelpOption];

    /// <summary>The options; a mistake is a <see cref="BuildException"/> naming it.</summary>
    public static BuildOptions Parse(IReadOnlyList<string> args)
    {
        // Our own --help (it lists the targets) instead of the generated one, and no --version.
        var command = new RootCommand("the ConPaaS build host");
        command.Options.Clear();
        foreach (var option in All) command.Options.Add(option);
        var result = command.Parse([.. args]);
        if (result.UnmatchedTokens.Count > 0) throw new BuildException($"unknown argument '{result.UnmatchedTokens[0]}'");
        if (result.GetResult(TargetOption) is { Implicit: false, Tokens.Count: 0 } target)
            throw new BuildException($"{target.IdentifierToken?.Value ?? TargetOption.Name} needs a target name");
        if (result.Errors.Count > 0) throw new BuildException(result.Errors[0].Message);
        return new BuildOptions(result.GetValue(TargetOption)!, result.GetValue(DryRunOption), result.GetValue(HelpOption), result.GetValue(MissingToolsOption));
    }

    public static string Usage(TargetGraph graph)
    {
        var text = new StringBuilder()
            .AppendLine("usage: ./build.sh [--target NAME] [--dry-run] [--help]")
            .AppendLine();
        foreach (var option in All)
        {
            var value = option is Option<bool> ? "" : " " + option.HelpName;
            var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases).Select(name => name + value));
            text.AppendLine($"  {names,-22}  {option.Description}");
        }
        text.AppendLine().AppendLine("targets:");
        foreach (var target in graph.All)
        {
            var needs = target.DependsOn.Count == 0 ? "" : $" (after {string.Join(", ", target.DependsOn)})";
            text.AppendLine($"  {target.Name,-14} {target.Description}{needs}");
        }
        return text.ToString();
    }
}
