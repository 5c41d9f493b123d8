using ConPaaS.Imaging.Qcow2;
using ConPaaS.Imaging.Raw;
using ConPaaS.Imaging.Sources;
using ConPaaS.Imaging.Vdi;
using ConPaaS.Imaging.Vmdk;

namespace ConPaaS.Imaging.Formats;

public enum ImageFormat
{
    Raw,
    Vmdk,
    Vdi,
    Qcow2,
}

/// <summary>The one place that knows which reader and writer belong to which format.</summary>
public static class ImageFormats
{
    public static ImageFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "raw" or "img" => ImageFormat.Raw,
        "vmdk" => ImageFormat.Vmdk,
        "vdi" => ImageFormat.Vdi,
        "qcow2" => ImageFormat.Qcow2,
        _ => throw new InvalidDataException($"unknown image format '{name}' (known: raw, vmdk, vdi, qcow2)"),
    };

    /// <summary>Recognises a format by its magic bytes; anything unrecognised is raw.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> head)
    {
        if (SparseExtentHeader.HasMagic(head)) return ImageFormat.Vmdk;
        if (Qcow2Header.HasMagic(head)) return ImageFormat.Qcow2;
        if (VdiHeader.HasSignature(head)) return ImageFormat.Vdi;
        if (head.StartsWith("# Disk DescriptorFile"u8))
            throw new InvalidDataException("this is a VMDK descriptor file; give the extent file it names instead");
        return ImageFormat.Raw;
    }

    public static ImageFormat Detect(string path)
    {
        var head = new byte[512];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head.AsSpan(0, read));
    }

    /// <summary>Opens an image file of any supported format as a disk to read.</summary>
    public static DiskSource Open(string path) => Open(path, Detect(path));

    public static DiskSource Open(string path, ImageFormat format) => format switch
    {
        ImageFormat.Raw => new RawFileSource(path),
        ImageFormat.Vmdk => new VmdkReader(File.OpenRead(path)),
        ImageFormat.Vdi => new VdiReader(File.OpenRead(path)),
        ImageFormat.Qcow2 => new Qcow2Reader(File.OpenRead(path)),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <param name="identity">Seed for identifiers stored in the image (VMDK CID and UUID, VDI UUID).</param>
    public static IImageWriter Writer(ImageFormat format, string extentName = "disk.vmdk", string identity = "") => format switch
    {
        ImageFormat.Raw => new RawWriter(),
        ImageFormat.Vmdk => new VmdkStreamWriter { ExtentName = extentName, ImageUuid = IdentityGuid(identity) },
        ImageFormat.Vdi => new VdiWriter { ImageUuid = IdentityGuid(identity) },
        ImageFormat.Qcow2 => new Qcow2Writer(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static Guid IdentityGuid(string identity) => identity.Length == 0 ? Guid.Empty : Common.DeterministicId.Guid(identity);
}
