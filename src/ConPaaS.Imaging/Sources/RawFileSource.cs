using ConPaaS.Imaging.Common;
using Microsoft.Win32.SafeHandles;

namespace ConPaaS.Imaging.Sources;

/// <summary>A raw disk image file. Holes in a sparse file are reported without being read.</summary>
public sealed class RawFileSource : DiskSource
{
    private readonly SafeFileHandle _handle;
    private readonly IReadOnlyList<(long Start, long End)> _data;
    private int _nextRange;

    public RawFileSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
        _data = FileExtents.DataRanges(_handle, Length);
    }

    public override long Length { get; }

    public override bool Read(long offset, Span<byte> buffer)
    {
        var end = offset + buffer.Length;
        while (_nextRange < _data.Count && _data[_nextRange].End <= offset) _nextRange++;
        if (_nextRange == _data.Count || _data[_nextRange].Start >= end) return false;

        var wanted = (int)Math.Clamp(Length - offset, 0, buffer.Length);
        FileReads.ReadExactlyAt(_handle, buffer[..wanted], offset, "raw disk");
        buffer[wanted..].Clear();
        return true;
    }

    public override void Dispose()
    {
        _handle.Dispose();
        base.Dispose();
    }
}
