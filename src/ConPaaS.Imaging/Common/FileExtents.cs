using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConPaaS.Imaging.Common;

/// <summary>
/// Finds the data regions of a sparse file with lseek(SEEK_DATA/SEEK_HOLE), so converters skip holes
/// without reading gigabytes of zeros. Where the filesystem cannot tell, the whole file counts as data.
/// </summary>
public static partial class FileExtents
{
    private const int SeekData = 3, SeekHole = 4;

    public static IReadOnlyList<(long Start, long End)> DataRanges(SafeFileHandle handle, long length)
    {
        var ranges = new List<(long, long)>();
        if (!OperatingSystem.IsLinux()) return [(0, length)];
        long position = 0;
        while (position < length)
        {
            var dataStart = Seek(handle, position, SeekData);
            if (dataStart < 0)
            {
                if (Marshal.GetLastPInvokeError() == 6 /* ENXIO: no data past here */) break;
                return [(0, length)];
            }
            var holeStart = Seek(handle, dataStart, SeekHole);
            if (holeStart < 0) return [(0, length)];
            ranges.Add((dataStart, Math.Min(holeStart, length)));
            position = holeStart;
        }
        return ranges;
    }

    private static long Seek(SafeFileHandle handle, long offset, int whence)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return LSeek(handle.DangerousGetHandle().ToInt32(), offset, whence);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "lseek64", SetLastError = true)]
    private static partial long LSeek(int fd, long offset, int whence);
}
