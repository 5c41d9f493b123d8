using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>
/// Builds the Nutshell a second time into a separate directory, from the same cached root filesystem tarball but
/// with the customize stage (unpack, users, hooks, mke2fs) and the image stage redone from scratch, and checks the
/// two .ova files are byte-identical.
/// </summary>
internal static class ReproTestTarget
{
    public static async Task RunAsync(BuildContext context)
    {
        var first = Path.Combine(context.Images, "ConPaaS-Nutshell.ova");
        var directory = Path.Combine(context.Out, "repro");
        // A cache of its own that shares only the root filesystem stage with the real one.
        var cache = Path.Combine(context.Out, "repro-cache");
        Directory.CreateDirectory(cache);
        Directory.CreateSymbolicLink(Path.Combine(cache, "rootfs"), context.Cache.PathOf("rootfs", ""));
        var isolated = new BuildContext(context.Root, context.CancellationToken, cache);
        var keep = false;
        try
        {
            var published = await ApplianceBuilder.BuildAsync(isolated, Path.Combine(context.Root, ImageTargets.NutshellRecipe), directory);
            var second = published.Single(p => p.EndsWith(".ova", StringComparison.Ordinal));
            var (a, b) = (await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(second));
            if (!a.AsSpan().SequenceEqual(b))
            {
                keep = true;
                throw new BuildException($"the rebuilt .ova differs from the first ({a.Length} vs {b.Length} bytes): the build is not " +
                    $"reproducible; compare {Path.GetRelativePath(context.Root, first)} with {Path.GetRelativePath(context.Root, second)}");
            }
            BuildContext.Log($"REPRO two builds of ConPaaS-Nutshell.ova with SOURCE_DATE_EPOCH={context.SourceDateEpoch} are byte-identical ({a.Length} bytes)");
        }
        finally
        {
            if (!keep && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            File.Delete(Path.Combine(cache, "rootfs"));
            Directory.Delete(cache, recursive: true);
        }
    }
}
