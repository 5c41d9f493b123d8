using System.Security.Cryptography;
using ConPaaS.Common;
using ConPaaS.Builder.Recipes;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Builder;

/// <summary>
/// Builds a recipe front to back: root filesystem (cached by packages) -> customized filesystem (cached by the
/// recipe and its files) -> disk and outputs, published into out/images with a refreshed SHA256SUMS.
/// </summary>
public static class ApplianceBuilder
{
    /// <summary>Every host tool a recipe's build can run, whatever the recipe.</summary>
    public static IReadOnlyList<HostTool> Tools => [.. BuildContext.Tools, .. RootFsStage.Tools, .. CustomizeStage.Tools, .. ImageStage.Tools];

    public static async Task<IReadOnlyList<string>> BuildAsync(BuildContext context, string recipePath, string? outputDirectory = null)
    {
        var recipe = RecipeFile.Load(recipePath, context.Root); // every recipe error surfaces here, before any work
        var epoch = context.SourceDateEpoch;
        BuildContext.Log($"  recipe {Path.GetRelativePath(context.Root, recipe.File)}: {recipe.Name}, {recipe.Suite}/{recipe.Architecture}, SOURCE_DATE_EPOCH={epoch}");

        var rootFs = await RootFsStage.BuildAsync(context, recipe, epoch);
        var customized = await CustomizeStage.BuildAsync(context, recipe, rootFs, RootFsStage.Key(recipe), epoch);
        var directory = outputDirectory ?? context.Images;
        var published = await ImageStage.PublishAsync(context, recipe, customized, directory, epoch);
        WriteChecksums(directory, published, context.WorkDirectory("checksums"));
        foreach (var file in published)
            BuildContext.Log($"  published {Path.GetRelativePath(context.Root, file)} ({new FileInfo(file).Length / 1048576.0:0.0} MiB)");
        return published;
    }

    /// <summary>
    /// SHA256SUMS over every image in the directory, in sha256sum's format, replaced atomically. Only the files just
    /// published are hashed; the lines of the others (other targets' images) are kept as they were.
    /// </summary>
    private static void WriteChecksums(string directory, IReadOnlyList<string> published, string work)
    {
        var sums = Path.Combine(directory, "SHA256SUMS");
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(sums))
        {
            foreach (var line in File.ReadAllLines(sums))
                if (line.Split("  ", 2) is [var hash, var name] && File.Exists(Path.Combine(directory, name))) lines[name] = hash;
        }
        foreach (var file in published)
        {
            using var stream = File.OpenRead(file);
            lines[Path.GetFileName(file)] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        // Written and flushed in the work directory, then renamed into place like every image (see BuildContext.MoveInto).
        var written = Path.Combine(work, "SHA256SUMS");
        AtomicFile.WriteAllText(written, string.Concat(lines.Select(l => $"{l.Value}  {l.Key}\n")));
        BuildContext.MoveInto(written, directory);
        Directory.Delete(work);
    }
}
