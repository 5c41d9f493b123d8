using System.Security.Cryptography;
using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Builds the Nutshell and the Raspberry Pi image a second time into a separate directory, from the same cached root
/// filesystem tarballs but with the customize stage (unpack, users, hooks, mke2fs, the Pi's FAT partition) and the
/// image stage redone from scratch, and checks each output is byte-identical to the first build's.
/// </summary>
internal static class ReproTestTarget
{
    private static readonly (string Recipe, string Output)[] Images =
    [
        (ImageTargets.NutshellRecipe, "ConPaaS-Nutshell.ova"),
        (ImageTargets.RpiImageRecipe, "ConPaaS-RPi.img.xz"),
    ];

    public static async Task RunAsync(BuildContext context)
    {
        foreach (var (recipe, output) in Images) await RebuildAndCompareAsync(context, recipe, output);
    }

    private static async Task RebuildAndCompareAsync(BuildContext context, string recipe, string output)
    {
        var first = Path.Combine(context.Images, output);
        var directory = Path.Combine(context.Out, "repro");
        // A cache of its own that shares only the root filesystem stage with the real one.
        var cache = Path.Combine(context.Out, "repro-cache");
        Directory.CreateDirectory(cache);
        Directory.CreateSymbolicLink(Path.Combine(cache, "rootfs"), context.Cache.PathOf("rootfs", ""));
        var isolated = new BuildContext(context.Root, context.CancellationToken, cache);
        var keep = false;
        try
        {
            var published = await ApplianceBuilder.BuildAsync(isolated, Path.Combine(context.Root, recipe), directory);
            var second = published.Single(p => Path.GetFileName(p) == output);
            var (a, b) = (await HashAsync(first), await HashAsync(second));
            if (a != b)
            {
                keep = true;
                throw new BuildException($"the rebuilt {output} differs from the first (SHA-256 {a} vs {b}): the build is not " +
                    $"reproducible; compare {Path.GetRelativePath(context.Root, first)} with {Path.GetRelativePath(context.Root, second)}");
            }
            BuildContext.Log($"REPRO two builds of {output} with SOURCE_DATE_EPOCH={context.SourceDateEpoch} are byte-identical ({new FileInfo(first).Length} bytes)");
        }
        finally
        {
            if (!keep && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            File.Delete(Path.Combine(cache, "rootfs"));
            Directory.Delete(cache, recursive: true);
        }
    }

    private static async Task<string> HashAsync(string file)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
