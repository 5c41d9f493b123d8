using ConPaaS.Builder;
using ConPaaS.Build;
using ConPaaS.Processes;

namespace Build.Tests;

/// <summary>The build host run as a process, as build.sh runs it.</summary>
public class BuildHostTests
{
    private static Task<CommandResult> RunBuildAsync(params string[] arguments) =>
        new Command("dotnet", Path.Combine(AppContext.BaseDirectory, "build.dll")).WithArguments(arguments)
            .RunAsync(CancellationToken.None, allowFailure: true);

    [Fact]
    public async Task HelpListsEveryTargetWithALine()
    {
        var help = await RunBuildAsync("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var target in BuildTargets.All) Assert.Contains($"  {target.Name,-14} {target.Description}", help.StandardOutput);
    }

    [Fact]
    public async Task DryRunPrintsThePlanAndDoesNothing()
    {
        var plan = await RunBuildAsync("--target", "Bench", "--dry-run");
        Assert.Equal(0, plan.ExitCode);
        Assert.Contains("plan for Bench (2 targets):\n  1. Tools", plan.StandardOutput);
        Assert.Contains("  2. Bench", plan.StandardOutput);
    }

    [Fact]
    public async Task UnknownTargetIsAClearError()
    {
        var result = await RunBuildAsync("--target", "Nutshel");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("build: error: unknown target 'Nutshel'", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public void HostToolListNamesAPackageForEveryTool()
    {
        var tools = new TargetGraph(BuildTargets.All).PlanFor("Test").SelectMany(t => t.Tools).Select(t => (t.Name, t.Package)).ToList();
        Assert.Contains(("qemu-img", "qemu-utils"), tools);
        Assert.Contains(("sgdisk", "gdisk"), tools);
        Assert.All(BuildTargets.All.SelectMany(t => t.Tools), tool => Assert.True(tool.Package is not null || tool.Name == "dotnet", $"{tool.Name} has no package"));
    }

    [Fact]
    public async Task MissingToolsPrintsToolAndPackageForWhatThePlanLacks()
    {
        var result = await RunBuildAsync("--target", "Test", "--missing-tools");
        Assert.Equal(0, result.ExitCode);
        var missing = await HostTool.MissingAsync(new TargetGraph(BuildTargets.All).PlanFor("Test").SelectMany(t => t.Tools), CancellationToken.None);
        Assert.Equal(missing.Select(t => t.MissingLine + "\n"), result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n"));
    }
}
