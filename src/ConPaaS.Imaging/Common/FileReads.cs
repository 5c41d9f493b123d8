using Microsoft.Win32.SafeHandles;

namespace ConPaaS.Imaging.Common;

public static class FileReads
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, or says where the file ended early.</summary>
    public static void ReadExactlyAt(SafeFileHandle handle, Span<byte> buffer, long offset, string what)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[filled..], offset + filled);
            if (read == 0) throw new InvalidDataException($"{what}: the file ends at byte {offset + filled}, {buffer.Length - filled} bytes short (truncated?)");
            filled += read;
        }
    }
}
