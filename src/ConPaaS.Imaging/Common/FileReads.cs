using Microsoft.Win32.SafeHandles;

namespace ConPaaS.Imaging.Common;

/// <summary>
/// The one way the readers take bytes from a file: exactly the bytes asked for, or an <see cref="InvalidDataException"/>
/// saying what was being read and where the file ended (a truncated image must never read as zeros).
/// </summary>
public static class FileReads
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, or says where the file ended early.</summary>
    public static void ReadExactlyAt(SafeFileHandle handle, Span<byte> buffer, long offset, string what)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[filled..], offset + filled);
            if (read == 0) throw Truncated(what, offset + filled, buffer.Length - filled);
            filled += read;
        }
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="offset"/> of a stream. A seekable stream is checked against
    /// its length first and positioned; a non-seekable one must already stand at <paramref name="offset"/>.
    /// </summary>
    public static void ReadExactlyAt(Stream stream, Span<byte> buffer, long offset, string what)
    {
        if (offset < 0) throw new InvalidDataException($"{what}: negative offset {offset}");
        if (stream.CanSeek)
        {
            if (offset + buffer.Length > stream.Length)
                throw new InvalidDataException($"{what}: {buffer.Length} bytes at offset {offset} lie beyond the end of the {stream.Length}-byte file (truncated?)");
            stream.Position = offset;
        }
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = stream.Read(buffer[filled..]);
            if (read == 0) throw Truncated(what, offset + filled, buffer.Length - filled);
            filled += read;
        }
    }

    /// <summary><see cref="ReadExactlyAt(Stream, Span{byte}, long, string)"/> into a new array of <paramref name="count"/> bytes.</summary>
    public static byte[] ReadExactlyAt(Stream stream, long offset, int count, string what)
    {
        if (count < 0) throw new InvalidDataException($"{what}: a negative length ({count} bytes) at offset {offset}");
        var buffer = new byte[count];
        ReadExactlyAt(stream, buffer, offset, what);
        return buffer;
    }

    private static InvalidDataException Truncated(string what, long end, long missing) =>
        new($"{what}: the file ends at byte {end}, {missing} bytes short (truncated?)");
}
