using ConPaaS.Build;

namespace Build.Tests;

public class TargetGraphTests
{
    private static Target T(string name, params string[] dependsOn) => new(name, $"the {name} target", dependsOn, _ => Task.CompletedTask);

    [Fact]
    public void PlanRunsDependenciesFirstAndEachOnce()
    {
        var graph = new TargetGraph([T("Nutshell", "RootFs", "Tools"), T("RootFs", "Tools"), T("Tools"), T("Clean")]);
        Assert.Equal(["Tools", "RootFs", "Nutshell"], graph.PlanFor("nutshell").Select(t => t.Name));
    }

    [Fact]
    public void CyclesAndUnknownTargetsAreClearErrors()
    {
        var cyclic = new TargetGraph([T("A", "B"), T("B", "A")]);
        Assert.Contains("dependency cycle: A -> B -> A", Assert.Throws<BuildException>(() => cyclic.PlanFor("A")).Message);
        Assert.Contains("unknown target 'Nope'; known targets: A, B", Assert.Throws<BuildException>(() => cyclic.PlanFor("Nope")).Message);
        Assert.Throws<InvalidOperationException>(() => new TargetGraph([T("A", "Missing")]));
    }

    [Fact]
    public void TheRealTargetsFormAValidGraph()
    {
        var graph = new TargetGraph(BuildTargets.All);
        Assert.Equal(["Tools", "Test"], graph.PlanFor("Test").Select(t => t.Name));
        Assert.NotNull(graph.Find(BuildTargets.Default));
    }

    [Theory]
    [InlineData(new[] { "--target", "Test", "--dry-run" }, "Test", true, false)]
    [InlineData(new[] { "--target=Bench" }, "Bench", false, false)]
    [InlineData(new[] { "-h" }, BuildTargets.Default, false, true)]
    public void ParsesOptions(string[] args, string target, bool dryRun, bool help)
    {
        Assert.Equal(new BuildOptions(target, dryRun, help), BuildOptions.Parse(args));
    }

    [Fact]
    public void RejectsUnknownArguments()
    {
        Assert.Contains("unknown argument '--fast'", Assert.Throws<BuildException>(() => BuildOptions.Parse(["--fast"])).Message);
        Assert.Contains("--target needs a target name", Assert.Throws<BuildException>(() => BuildOptions.Parse(["--target"])).Message);
    }
}
