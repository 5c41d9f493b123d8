using System.IO.Compression;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>Each compressed grain is one zlib (RFC 1950) stream.</summary>
internal static class GrainCodec
{
    /// <summary>Compresses <paramref name="input"/>[offset..offset+length] into <paramref name="output"/>; returns the compressed length.</summary>
    public static int Deflate(byte[] input, int offset, int length, byte[] output, int outputOffset, ZLibCompressionOptions options)
    {
        using var sink = new MemoryStream(output, outputOffset, output.Length - outputOffset, writable: true);
        using (var zlib = new ZLibStream(sink, options, leaveOpen: true)) zlib.Write(input, offset, length);
        return (int)sink.Position;
    }

    /// <summary>
    /// Inflates one grain, refusing any stream that expands beyond the grain: a hostile file cannot make us
    /// allocate or write more than one grain per grain.
    /// </summary>
    public static void Inflate(byte[] compressed, int length, Span<byte> grain, string where)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed, 0, length, writable: false), CompressionMode.Decompress);
            var filled = 0;
            int read;
            while (filled < grain.Length && (read = zlib.Read(grain[filled..])) > 0) filled += read;
            grain[filled..].Clear();
            Span<byte> probe = stackalloc byte[1];
            if (zlib.Read(probe) > 0) throw new InvalidDataException($"{where}: inflates to more than one grain ({grain.Length} bytes)");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{where}: corrupt compressed data ({e.Message})", e);
        }
    }
}
