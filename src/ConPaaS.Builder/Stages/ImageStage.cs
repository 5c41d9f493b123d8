using ConPaaS.Builder.Boot;
using ConPaaS.Builder.Recipes;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Ova;
using ConPaaS.Imaging.Raw;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// The last stage: the disk (partition table, boot loader, filesystems placed at their offsets) and every output
/// the recipe asks for. Each output is made in the build's work directory and renamed into the output directory
/// only when complete, so out/images never holds a partial file, even if the build is killed.
/// </summary>
public static class ImageStage
{
    public static readonly HostTool Mkswap = new("mkswap", "util-linux");

    /// <summary>An SD card image's block map: bmaptool copy writes only the mapped blocks and checks each range.</summary>
    public static readonly HostTool Bmaptool = new("bmaptool", "bmap-tools");

    public static IReadOnlyList<HostTool> Tools => [Mkswap, Bmaptool, CustomizeStage.Xz, .. GrubBios.Tools];

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
                return [BuildContext.MoveInto(tarball, outputDirectory)];
            }

            var disk = Path.Combine(work, "disk.raw");
            await AssembleDiskAsync(context, recipe, customized, disk, work);
            var published = new List<string>();
            foreach (var output in recipe.Outputs)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var target = Path.Combine(work, $"{recipe.Name}.{Extension(output)}");
                BuildContext.Log($"  writing {Path.GetFileName(target)}");
                if (output == OutputFormat.ImgXz)
                {
                    await CompressAsync(context, disk, target);
                    published.Add(BuildContext.MoveInto(await BlockMapAsync(context, disk, Path.Combine(work, $"{recipe.Name}.img.bmap")), outputDirectory));
                }
                else if (output == OutputFormat.Ova)
                    OvaPackager.Create(target, recipe.Hardware!, [disk], DateTimeOffset.FromUnixTimeSeconds(epoch), cancellationToken: context.CancellationToken);
                else
                    ImageConverter.Convert(disk, target, ImageFormats.Parse(output == OutputFormat.Raw ? "raw" : Extension(output)), cancellationToken: context.CancellationToken);
                published.Add(BuildContext.MoveInto(target, outputDirectory));
            }
            return published;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task AssembleDiskAsync(BuildContext context, Recipe recipe, string customized, string disk, string work)
    {
        var layout = recipe.Layout!;
        var images = new Dictionary<int, string> { [layout.Root.Number] = Path.Combine(customized, CustomizeStage.RootFilesystem) };
        if (recipe.Boot == BootLoader.RaspiFirmware)
            images[layout.Plan.Partitions.First(p => p.Name == RaspiFirmware.PartitionName).Number] = Path.Combine(customized, RaspiFirmware.Image);
        foreach (var swap in layout.Plan.Partitions.Where(p => p.Kind == PartitionKind.Swap))
            images[swap.Number] = await MakeSwapAsync(context, recipe, swap, work);
        var plan = layout.WithImages(p => images.GetValueOrDefault(p.Number));
        var (bootCode, coreImage) = recipe.Boot == BootLoader.GrubBios
            ? await GrubBios.BuildBootSectorsAsync(context, work)
            : ([], []);
        BuildContext.Log($"  assembling {ByteSize.Format(plan.Size)} {plan.Table.ToString().ToLowerInvariant()} disk");
        DiskAssembler.Write(plan, disk, bootCode, coreImage, cancellationToken: context.CancellationToken);
    }

    private static async Task<string> MakeSwapAsync(BuildContext context, Recipe recipe, PlannedPartition partition, string work)
    {
        var swap = Path.Combine(work, $"{partition.Name}.swap");
        using (var file = File.Create(swap)) file.SetLength(partition.Size);
        File.SetUnixFileMode(swap, UnixFileMode.UserRead | UnixFileMode.UserWrite); // what mkswap asks of a swap file
        await context.RunAsync(Mkswap.Command("-L", partition.Name, "-U", SwapUuid(recipe, partition).ToString(), swap));
        return swap;
    }

    /// <summary>A swap partition's UUID, fixed by the recipe's name; /etc/fstab names it.</summary>
    public static Guid SwapUuid(Recipe recipe, PlannedPartition partition) => DeterministicId.Guid($"{recipe.Name}/{partition.Name}");

    private static async Task<string> BlockMapAsync(BuildContext context, string disk, string bmap)
    {
        await context.RunAsync(Bmaptool.Command("create", "-o", bmap, disk));
        return bmap;
    }

    /// <summary>
    /// xz's multi-threaded compressor gives the same bytes whatever the number of threads (see CustomizeStage). Preset
    /// 1, because the image's 3.3 GB took 248 s at xz's default -6 (208 MB), 83 s at -3 (233 MB) and 36 s at -1
    /// (247 MB) on this 2-core machine: a few percent of download for most of the cold build's time.
    /// </summary>
    private static async Task CompressAsync(BuildContext context, string disk, string target)
    {
        await context.RunAsync(CustomizeStage.Xz.Command("-1", "-T0", "--keep", "--force", disk));
        File.Move(disk + ".xz", target);
    }

    public static string Extension(OutputFormat output) => output switch
    {
        OutputFormat.ImgXz => "img.xz",
        OutputFormat.Raw => "img",
        OutputFormat.RootfsTar => "rootfs.tar.xz",
        _ => output.ToString().ToLowerInvariant(),
    };
}
