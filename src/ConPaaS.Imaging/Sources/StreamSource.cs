namespace ConPaaS.Imaging.Sources;

/// <summary>
/// Raw disk bytes from any stream, seekable or not (a pipe, a network response). Reads must be contiguous
/// and in order, which is how every writer here consumes a source.
/// </summary>
public sealed class StreamSource(Stream stream, long length, bool leaveOpen = false) : DiskSource
{
    private long _position;

    public override long Length { get; } = length;

    public override bool Read(long offset, Span<byte> buffer)
    {
        if (offset != _position)
            throw new InvalidOperationException($"raw stream read out of order: asked for offset {offset}, stream is at {_position}");
        var wanted = (int)Math.Clamp(Length - offset, 0, buffer.Length);
        var filled = 0;
        while (filled < wanted)
        {
            var read = stream.Read(buffer[filled..wanted]);
            if (read == 0) throw new InvalidDataException($"raw input ended at byte {offset + filled}, expected {Length} bytes");
            filled += read;
        }
        buffer[filled..].Clear();
        _position += buffer.Length;
        return true;
    }

    public override void Dispose()
    {
        if (!leaveOpen) stream.Dispose();
        base.Dispose();
    }
}
