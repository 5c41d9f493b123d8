using System.Security.Cryptography;
using ConPaaS.Builder.Recipes;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Builder;

/// <summary>
/// Builds a recipe front to back: root filesystem (cached by packages) -> customized filesystem (cached by the
/// recipe and its files) -> disk and outputs, published into out/images with a refreshed SHA256SUMS.
/// </summary>
public static class ApplianceBuilder
{
    public static async Task<IReadOnlyList<string>> BuildAsync(BuildContext context, string recipePath, string? outputDirectory = null)
    {
        var recipe = RecipeFile.Load(recipePath, context.Root); // every recipe error surfaces here, before any work
        var epoch = context.SourceDateEpoch;
        BuildContext.Log($"  recipe {Path.GetRelativePath(context.Root, recipe.File)}: {recipe.Name}, {recipe.Suite}/{recipe.Architecture}, SOURCE_DATE_EPOCH={epoch}");

        var rootFs = await RootFsStage.BuildAsync(context, recipe, epoch);
        var customized = await CustomizeStage.BuildAsync(context, recipe, rootFs, RootFsStage.Key(recipe), epoch);
        var directory = outputDirectory ?? context.Images;
        var published = await ImageStage.PublishAsync(context, recipe, customized, directory, epoch);
        WriteChecksums(directory, context.WorkDirectory("checksums"));
        foreach (var file in published)
            BuildContext.Log($"  published {Path.GetRelativePath(context.Root, file)} ({new FileInfo(file).Length / 1048576.0:0.0} MiB)");
        return published;
    }

    /// <summary>SHA256SUMS over every image in the directory, in sha256sum's format, replaced atomically.</summary>
    private static void WriteChecksums(string directory, string work)
    {
        var lines = Directory.GetFiles(directory)
            .Where(f => Path.GetFileName(f) is var name && name != "SHA256SUMS" && !name.StartsWith('.') && !name.EndsWith(".partial"))
            .Order(StringComparer.Ordinal)
            .Select(f =>
            {
                using var stream = File.OpenRead(f);
                return $"{Convert.ToHexStringLower(SHA256.HashData(stream))}  {Path.GetFileName(f)}\n";
            });
        var temporary = Path.Combine(work, "SHA256SUMS");
        File.WriteAllText(temporary, string.Concat(lines));
        File.Move(temporary, Path.Combine(directory, "SHA256SUMS"), overwrite: true);
        Directory.Delete(work);
    }
}
