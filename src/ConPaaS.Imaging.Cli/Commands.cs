using System.CommandLine;
using System.Text.Json;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Layout;
using ConPaaS.Imaging.Ova;
using ConPaaS.Imaging.Raw;

namespace ConPaaS.Imaging.Cli;

/// <summary>The subcommands. Each is a thin shell over the library; errors become one line on stderr and exit 1.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Layout()
    {
        var file = new Argument<FileInfo>("layout") { Description = "the layout file (YAML)" };
        var output = new Argument<FileInfo?>("output") { Description = "the raw disk to write", Arity = ArgumentArity.ZeroOrOne };
        var plan = new Option<bool>("--plan") { Description = "print the plan and write nothing" };
        var command = new Command("layout", "plan a disk from a layout file and write it raw, filesystem images placed at their partitions") { file, output, plan };
        command.SetAction((result, token) => Run(() =>
        {
            var diskPlan = LayoutPlanner.Plan(LayoutFile.Load(result.GetValue(file)!.FullName));
            PrintPlan(diskPlan);
            if (result.GetValue(plan)) return 0;
            var target = result.GetValue(output) ?? throw new InvalidDataException("give an output file, or --plan to write nothing");
            var total = diskPlan.Partitions.Where(p => p.Image is not null).Sum(p => new FileInfo(p.Image!).Length);
            using (var progress = new ConsoleProgress("layout", total))
                DiskAssembler.Write(diskPlan, target.FullName, progress: progress, cancellationToken: token);
            Console.WriteLine($"wrote {target.FullName} ({diskPlan.Size} bytes)");
            return 0;
        }));
        return command;
    }

    public static Command Convert()
    {
        var to = new Option<string>("--to") { Description = "output format: raw, vmdk (streamOptimized), vdi (dynamic) or qcow2", Required = true };
        var input = new Argument<FileInfo>("input") { Description = "the image to read (raw, vmdk, vdi or qcow2, detected)" };
        var output = new Argument<FileInfo>("output") { Description = "the image to write" };
        var command = new Command("convert", "convert a disk image to another format") { to, input, output };
        command.SetAction((result, token) => Run(() =>
        {
            var format = ImageFormats.Parse(result.GetValue(to)!);
            var source = result.GetValue(input)!;
            if (!source.Exists) throw new FileNotFoundException($"{source.FullName}: no such file");
            long length;
            using (var disk = ImageFormats.Open(source.FullName)) length = disk.Length;
            using (var progress = new ConsoleProgress("convert", length))
                ImageConverter.Convert(source.FullName, result.GetValue(output)!.FullName, format, progress, token);
            return 0;
        }));
        return command;
    }

    public static Command Inspect()
    {
        var image = new Argument<FileInfo>("image") { Description = "the image to inspect" };
        var json = new Option<bool>("--json") { Description = "print JSON for scripts" };
        var alignment = new Option<string>("--alignment") { Description = "alignment to check partitions against", DefaultValueFactory = _ => "4MiB" };
        var command = new Command("inspect", "show an image's format, virtual size, partition table and alignment") { image, json, alignment };
        command.SetAction(result => Run(() =>
        {
            var report = ImageInspector.Inspect(result.GetValue(image)!.FullName, ByteSize.Parse(result.GetValue(alignment)!));
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
                return 0;
            }
            Console.WriteLine($"image:        {report.Path}");
            Console.WriteLine($"format:       {report.Format}{(report.Subformat is { Length: > 0 } sub ? $" ({sub})" : "")}");
            Console.WriteLine($"virtual size: {report.VirtualSize} bytes ({ByteSize.Format(report.VirtualSize)})");
            Console.WriteLine($"file size:    {report.FileSize} bytes");
            Console.WriteLine($"table:        {report.Table}{(report.DiskId.Length > 0 ? $", disk id {report.DiskId}" : "")}");
            foreach (var (p, aligned) in report.Partitions)
            {
                Console.WriteLine($"  {p.Number,2}  start {p.Offset,14}  size {p.Size,14}  {p.Type,-20} {(p.Bootable ? "boot " : "")}{p.Name,-12} " +
                    (aligned ? $"aligned to {ByteSize.Format(report.Alignment)}" : $"NOT aligned to {ByteSize.Format(report.Alignment)}"));
            }
            return 0;
        }));
        return command;
    }

    public static Command Ova()
    {
        var hardware = new Option<FileInfo>("--hardware") { Description = "the VM description (YAML: name, os-type, cpus, memory-mb, disk-controller, nics)", Required = true };
        var disks = new Option<FileInfo[]>("--disk") { Description = "a disk image (any format; converted to streamOptimized VMDK); repeat for more", Required = true };
        var output = new Argument<FileInfo>("output") { Description = "the .ova to write" };
        var command = new Command("ova", "pack disks and a hardware description into an .ova (ovf, mf, vmdk)") { hardware, disks, output };
        command.SetAction((result, token) => Run(() =>
        {
            var vm = VmHardware.Load(result.GetValue(hardware)!.FullName);
            var images = result.GetValue(disks)!.Select(d => d.FullName).ToList();
            long total = 0;
            foreach (var image in images)
            {
                if (!File.Exists(image)) throw new FileNotFoundException($"{image}: no such file");
                using var disk = ImageFormats.Open(image);
                total += disk.Length;
            }
            var target = result.GetValue(output)!.FullName;
            using (var progress = new ConsoleProgress("ova", total))
                OvaPackager.Create(target, vm, images, SourceDate(), progress, token);
            Console.WriteLine($"wrote {target}");
            return 0;
        }));
        return command;
    }

    public static Command Verify()
    {
        var ova = new Argument<FileInfo>("ova") { Description = "the .ova to check" };
        var command = new Command("verify", "check an .ova's structure, manifest digests and disks") { ova };
        command.SetAction(result => Run(() =>
        {
            var path = result.GetValue(ova)!;
            if (!path.Exists) throw new FileNotFoundException($"{path.FullName}: no such file");
            var report = OvaVerifier.Verify(path.FullName);
            foreach (var line in report.Checked) Console.WriteLine($"ok    {line}");
            foreach (var line in report.Problems) Console.Error.WriteLine($"FAIL  {line}");
            Console.WriteLine(report.Ok ? $"{path.Name}: valid" : $"{path.Name}: {report.Problems.Count} problem(s)");
            return report.Ok ? 0 : 1;
        }));
        return command;
    }

    private static void PrintPlan(DiskPlan plan)
    {
        Console.WriteLine($"disk: {plan.Table.ToString().ToLowerInvariant()}, {plan.Size} bytes ({ByteSize.Format(plan.Size)}), alignment {ByteSize.Format(plan.Alignment)}");
        foreach (var p in plan.Partitions)
            Console.WriteLine($"  {p.Number,2}  {p.Name,-12} {YamlMap.Kebab(p.Kind.ToString()),-10} start {p.Offset,14}  size {p.Size,14}{(p.Image is null ? "" : $"  <- {p.Image}")}");
    }

    /// <summary>SOURCE_DATE_EPOCH when set (reproducible builds), else now.</summary>
    private static DateTimeOffset SourceDate() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow;

    /// <summary>Turns the errors a user can cause into one clear line and exit code 1, never a stack trace.</summary>
    private static Task<int> Run(Func<int> action)
    {
        try
        {
            return Task.FromResult(action());
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cps-image: cancelled; nothing was written");
            return Task.FromResult(130);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or NotSupportedException
                                      or UnauthorizedAccessException or OverflowException or ArgumentException)
        {
            Console.Error.WriteLine($"cps-image: error: {e.Message}");
            return Task.FromResult(1);
        }
    }
}
