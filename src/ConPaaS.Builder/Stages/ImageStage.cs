using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Recipes;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Ova;
using ConPaaS.Imaging.Raw;
using ConPaaS.Processes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// The last stage: the disk (partition table, boot loader, filesystems placed at their offsets) and every output
/// the recipe asks for. Each output is made in the build's work directory and renamed into the output directory
/// only when complete, so out/images never holds a partial file, even if the build is killed.
/// </summary>
public static class ImageStage
{
    public static async Task<IReadOnlyList<string>> PublishAsync(BuildContext context, Recipe recipe, string customized, string outputDirectory, long epoch)
    {
        Directory.CreateDirectory(outputDirectory);
        var work = context.WorkDirectory(recipe.Name);
        try
        {
            if (recipe.Container)
            {
                var tarball = Path.Combine(work, $"{recipe.Name}.rootfs.tar.xz");
                File.Copy(Path.Combine(customized, CustomizeStage.ContainerTarball), tarball);
                return [MoveInto(tarball, outputDirectory)];
            }

            var disk = Path.Combine(work, "disk.raw");
            await AssembleDiskAsync(context, recipe, Path.Combine(customized, CustomizeStage.RootFilesystem), disk, work);
            var published = new List<string>();
            foreach (var output in recipe.Outputs)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var target = Path.Combine(work, $"{recipe.Name}.{Extension(output)}");
                BuildContext.Log($"  writing {Path.GetFileName(target)}");
                if (output == OutputFormat.Ova)
                    OvaPackager.Create(target, recipe.Hardware!, [disk], DateTimeOffset.FromUnixTimeSeconds(epoch), cancellationToken: context.CancellationToken);
                else
                    ImageConverter.Convert(disk, target, ImageFormats.Parse(output == OutputFormat.Raw ? "raw" : Extension(output)), cancellationToken: context.CancellationToken);
                published.Add(MoveInto(target, outputDirectory));
            }
            return published;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Renames a finished file into the output directory (same filesystem: atomic).</summary>
    private static string MoveInto(string file, string directory)
    {
        var destination = Path.Combine(directory, Path.GetFileName(file));
        File.Move(file, destination, overwrite: true);
        return destination;
    }

    private static async Task AssembleDiskAsync(BuildContext context, Recipe recipe, string rootFilesystem, string disk, string work)
    {
        var sizes = LayoutPlanner.Plan(recipe.Disk!).Partitions.ToDictionary(p => p.Name, p => p.Size);
        var partitions = new List<PartitionSpec>();
        foreach (var partition in recipe.Disk!.Partitions)
        {
            string? image = partition.Name == "root" ? rootFilesystem : null;
            if (partition.Kind == PartitionKind.Swap) image = await MakeSwapAsync(context, recipe, partition.Name, sizes[partition.Name], work);
            partitions.Add(partition with { Image = image });
        }
        var plan = LayoutPlanner.Plan(recipe.Disk with { Partitions = partitions, Seed = recipe.Name });
        var (bootCode, coreImage) = recipe.Boot == BootLoader.GrubBios
            ? await GrubBios.BuildBootSectorsAsync(context, work)
            : ([], []);
        BuildContext.Log($"  assembling {ByteSize.Format(plan.Size)} {plan.Table.ToString().ToLowerInvariant()} disk");
        DiskAssembler.Write(plan, disk, bootCode, coreImage, cancellationToken: context.CancellationToken);
    }

    private static async Task<string> MakeSwapAsync(BuildContext context, Recipe recipe, string name, long size, string work)
    {
        var swap = Path.Combine(work, $"{name}.swap");
        using (var file = File.Create(swap)) file.SetLength(size);
        await context.RunAsync(new Command("mkswap", "-L", name, "-U", DeterministicId.Guid($"{recipe.Name}/{name}").ToString(), swap));
        return swap;
    }

    public static string Extension(OutputFormat output) => output switch
    {
        OutputFormat.Raw => "img",
        OutputFormat.RootfsTar => "rootfs.tar.xz",
        _ => output.ToString().ToLowerInvariant(),
    };
}
