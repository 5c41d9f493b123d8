using ConPaaS.Builder.Recipes;
using ConPaaS.Builder.Stages;
using ConPaaS.Testing;

namespace ConPaaS.Builder.Tests;

public class RootFsStageTests
{
    private static Recipe LoadRepositoryRecipe(string path) => RecipeFile.Load(Path.Combine(Repository.Root, path), Repository.Root);

    [Fact]
    public void BackportsAreIncludedFromTheirSuiteWithASecondSource()
    {
        var pi = LoadRepositoryRecipe("rpi/image/recipe.yaml");
        Assert.NotEmpty(pi.Backports);
        var arguments = RootFsStage.Arguments(pi, "/work/rootfs.tar");

        var included = Assert.Single(arguments, a => a.StartsWith("--include=", StringComparison.Ordinal))["--include=".Length..].Split(',');
        foreach (var backport in pi.Backports)
        {
            Assert.Contains($"{backport}/{pi.Suite}-backports", included);
            Assert.DoesNotContain(backport, included);
        }
        // The suite, the target and the mirror, then the backports source in sources.list's one-line form.
        Assert.Equal([pi.Suite, "/work/rootfs.tar", pi.Mirror, $"deb {pi.Mirror} {pi.Suite}-backports {string.Join(' ', pi.Components)}"], arguments.TakeLast(4));
    }

    [Fact]
    public void WithoutBackportsThereIsOneSource()
    {
        var nutshell = LoadRepositoryRecipe("appliance/nutshell/recipe.yaml");
        Assert.Empty(nutshell.Backports);
        var arguments = RootFsStage.Arguments(nutshell, "/work/rootfs.tar");
        Assert.Equal([nutshell.Suite, "/work/rootfs.tar", nutshell.Mirror], arguments.TakeLast(3));
        Assert.DoesNotContain(arguments, a => a.Contains("backports", StringComparison.Ordinal));
    }
}
