using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Raw;

/// <summary>A plain byte-for-byte disk. Zero blocks become holes when the output can seek.</summary>
public sealed class RawWriter : IImageWriter
{
    private const int Block = 1 << 20;

    public void Write(DiskSource source, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[Block];
        var zeros = new byte[Block];
        var start = output.CanSeek ? output.Position : 0;
        for (long offset = 0; offset < source.Length; offset += Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var span = buffer.AsSpan(0, (int)Math.Min(Block, source.Length - offset));
            var data = source.Read(offset, span) && !DiskSource.IsZero(span);
            if (data) output.Write(span);
            else if (output.CanSeek) output.Seek(span.Length, SeekOrigin.Current);
            else output.Write(zeros, 0, span.Length);
            progress?.Report(offset + span.Length);
        }
        if (output.CanSeek) output.SetLength(start + source.Length);
    }
}
