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

    /// <summary>Fills <paramref name="target"/> from one unit, or returns false (target untouched) when it holds zeros.</summary>
    protected delegate bool UnitReader(long unit, int offsetInUnit, Span<byte> target);

    /// <summary>
    /// <see cref="Read"/> for formats made of fixed-size units (grains, blocks, clusters): walks the units the range
    /// covers and keeps the contract that a buffer is either untouched (all zeros) or filled completely.
    /// </summary>
    protected bool ReadByUnits(long offset, Span<byte> buffer, long unitSize, UnitReader readUnit)
    {
        var any = false;
        var end = Math.Min(offset + buffer.Length, Length);
        for (var position = offset; position < end;)
        {
            var unit = position / unitSize;
            var inUnit = (int)(position - unit * unitSize);
            var count = (int)Math.Min(unitSize - inUnit, end - position);
            var target = buffer.Slice((int)(position - offset), count);
            if (readUnit(unit, inUnit, target))
            {
                if (!any) buffer[..(int)(position - offset)].Clear(); // the units before held zeros
                any = true;
            }
            else if (any)
            {
                target.Clear();
            }
            position += count;
        }
        if (any) buffer[(int)(end - offset)..].Clear();
        return any;
    }

    /// <summary>True when every byte of <paramref name="data"/> is zero (vectorised).</summary>
    public static bool IsZero(ReadOnlySpan<byte> data) => !data.ContainsAnyExcept((byte)0);
}
