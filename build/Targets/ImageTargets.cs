using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>The targets that build a recipe into out/images/.</summary>
internal static class ImageTargets
{
    public const string NutshellRecipe = "appliance/nutshell/recipe.yaml", RpiImageRecipe = "rpi/image/recipe.yaml",
        RpiBackendRecipe = "rpi/backend/recipe.yaml",
        RpiContainerRecipe = "rpi/container/recipe.yaml";

    public static IReadOnlyList<HostTool> Tools => ApplianceBuilder.Tools;

    public static Func<BuildContext, Task> Recipe(string relativePath) =>
        context => ApplianceBuilder.BuildAsync(context, Path.Combine(context.Root, relativePath));
}
