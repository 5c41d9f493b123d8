using ConPaaS.Builder.Recipes;
using ConPaaS.Processes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// The root filesystem as mmdebstrap makes it, as a tarball, cached by everything that decides its contents:
/// suite, architecture, mirror, components, variant and packages. mmdebstrap runs in unshare mode, so whatever it
/// mounts lives in its own namespace and vanishes with it, even when the build is killed.
/// </summary>
public static class RootFsStage
{
    public static string Key(Recipe recipe) => StageCache.Key("", [], "rootfs-v1", recipe.Suite, recipe.Architecture, recipe.Mirror,
        string.Join(',', recipe.Components), recipe.Variant, string.Join(',', recipe.Packages.Order(StringComparer.Ordinal)));

    public static async Task<string> BuildAsync(BuildContext context, Recipe recipe, long sourceDateEpoch)
    {
        var directory = await context.Cache.GetOrBuildAsync("rootfs", Key(recipe), async work =>
        {
            var arguments = new List<string>
            {
                "--mode=unshare", $"--variant={recipe.Variant}", $"--arch={recipe.Architecture}",
                $"--components={string.Join(',', recipe.Components)}",
                // Keep the tarball lean and free of per-build noise.
                "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--customize-hook=rm -f \"$1\"/var/cache/ldconfig/aux-cache \"$1\"/var/log/*.log \"$1\"/var/log/apt/*",
            };
            if (recipe.Packages.Count > 0) arguments.Add($"--include={string.Join(',', recipe.Packages)}");
            arguments.AddRange([recipe.Suite, Path.Combine(work, "rootfs.tar"), recipe.Mirror]);
            await context.RunAsync(new Command("mmdebstrap", arguments.ToArray())
                .WithEnvironment("SOURCE_DATE_EPOCH", sourceDateEpoch.ToString())
                .Contained());
        });
        return Path.Combine(directory, "rootfs.tar");
    }
}
