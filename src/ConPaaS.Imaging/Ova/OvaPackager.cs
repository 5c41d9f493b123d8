using ConPaaS.Common;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Vmdk;

namespace ConPaaS.Imaging.Ova;

/// <summary>
/// Packs disks and a hardware description into an .ova: a POSIX ustar archive holding the .ovf first, the .mf
/// (SHA256 of every other member) second, then the streamOptimized VMDKs. Disks in another format are converted
/// on the way. Entries carry fixed owners and the given timestamp, so equal inputs give equal bytes.
/// </summary>
public static class OvaPackager
{
    public static void Create(string outputPath, VmHardware vm, IReadOnlyList<string> diskImages, DateTimeOffset timestamp,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (diskImages.Count == 0) throw new InvalidDataException("an .ova needs at least one disk");
        var baseName = Path.GetFileNameWithoutExtension(outputPath);
        var workDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, $".{baseName}.{Environment.ProcessId}.ova-work");
        Directory.CreateDirectory(workDirectory);
        try
        {
            var disks = new List<(OvfDisk Disk, string Path, string Sha256)>();
            long doneBefore = 0;
            for (var i = 0; i < diskImages.Count; i++)
            {
                var fileName = $"{baseName}-disk{i + 1}.vmdk";
                var vmdk = PrepareVmdk(diskImages[i], Path.Combine(workDirectory, fileName), fileName,
                    new Progress<long>(bytes => progress?.Report(doneBefore + bytes)), cancellationToken);
                long capacity;
                using (var reader = new VmdkReader(File.OpenRead(vmdk))) capacity = reader.Length;
                doneBefore += capacity;
                var uuid = DeterministicId.Guid($"{vm.Name}/{fileName}");
                disks.Add((new OvfDisk(fileName, new FileInfo(vmdk).Length, capacity, uuid), vmdk, Sha256Of(vmdk)));
            }

            var ovfName = $"{baseName}.ovf";
            var ovf = Encoding.UTF8.GetBytes(OvfDescriptor.Create(vm, disks.Select(d => d.Disk).ToList()));
            var manifest = new StringBuilder().Append($"SHA256({ovfName})= {Convert.ToHexStringLower(SHA256.HashData(ovf))}\n");
            foreach (var (disk, _, sha) in disks) manifest.Append($"SHA256({disk.FileName})= {sha}\n");

            using var output = AtomicFile.Create(outputPath);
            using (var tar = new TarWriter(output.Stream, TarEntryFormat.Ustar, leaveOpen: true))
            {
                WriteEntry(tar, ovfName, new MemoryStream(ovf), timestamp);
                WriteEntry(tar, $"{baseName}.mf", new MemoryStream(Encoding.ASCII.GetBytes(manifest.ToString())), timestamp);
                foreach (var (disk, path, _) in disks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var data = File.OpenRead(path);
                    WriteEntry(tar, disk.FileName, data, timestamp);
                }
            }
            output.Commit();
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    /// <summary>Uses a streamOptimized VMDK as it is; converts anything else into one.</summary>
    private static string PrepareVmdk(string image, string converted, string extentName, IProgress<long> progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(image)) throw new FileNotFoundException($"disk image {image} does not exist");
        if (ImageFormats.Detect(image) == ImageFormat.Vmdk)
        {
            using var reader = new VmdkReader(File.OpenRead(image));
            if (reader.CreateType == "streamOptimized") return image;
        }
        using var source = ImageFormats.Open(image);
        using var file = File.Create(converted);
        new VmdkStreamWriter { ExtentName = extentName, ImageUuid = DeterministicId.Guid(extentName) }
            .Write(source, file, progress, cancellationToken);
        return converted;
    }

    private static void WriteEntry(TarWriter tar, string name, Stream data, DateTimeOffset timestamp)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            ModificationTime = timestamp,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
        };
        tar.WriteEntry(entry);
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
