using ConPaaS.Common;

namespace ConPaaS.Imaging.Formats;

public static class ImageConverter
{
    /// <summary>
    /// Converts <paramref name="input"/> (any readable format) to <paramref name="output"/> in <paramref name="format"/>.
    /// The output appears only when complete; a failure or cancellation leaves nothing behind.
    /// </summary>
    public static void Convert(string input, string output, ImageFormat format, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (Path.GetFullPath(input) == Path.GetFullPath(output)) throw new InvalidDataException($"input and output are the same file: {input}");
        using var source = ImageFormats.Open(input);
        using var file = AtomicFile.Create(output);
        var name = Path.GetFileName(output);
        ImageFormats.Writer(format, name, identity: name).Write(source, file.Stream, progress, cancellationToken);
        file.Commit();
    }
}
