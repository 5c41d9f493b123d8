namespace ConPaaS.Imaging.Sources;

/// <summary>
/// The contents of a virtual disk, read front to back. Writers of every format consume one of these, so any
/// readable format converts to any writable one.
/// </summary>
public abstract class DiskSource : IDisposable
{
    /// <summary>The virtual size in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the bytes at <paramref name="offset"/>; bytes past <see cref="Length"/>
    /// read as zero. Calls come with increasing offsets. Returns false, leaving the buffer untouched, when the
    /// range is known to hold only zeros (a hole or an unallocated grain); true means the buffer was filled.
    /// </summary>
    public abstract bool Read(long offset, Span<byte> buffer);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>True when every byte of <paramref name="data"/> is zero (vectorised).</summary>
    public static bool IsZero(ReadOnlySpan<byte> data) => !data.ContainsAnyExcept((byte)0);
}
