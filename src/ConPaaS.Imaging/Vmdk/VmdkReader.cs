using System.Buffers.Binary;
using System.Text;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>
/// Reads a hosted sparse VMDK (streamOptimized or monolithicSparse) as a <see cref="DiskSource"/>. From a seekable
/// stream it follows the grain directory (in the footer when the header says "at end"); from a non-seekable one
/// it walks the streamOptimized markers front to back. Every offset, size and count is checked against the file
/// before it is used, and no grain may inflate beyond its size.
/// </summary>
public sealed class VmdkReader : DiskSource
{
    private const int Sector = 512;
    private const int MaxDescriptorBytes = 64 * 1024;
    private const uint ZeroedGrain = 1; // a grain table entry meaning "reads as zeros", when the header's flag allows it

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly SparseExtentHeader _header;
    private readonly int _grainBytes;
    private readonly long _fileLength;
    private readonly uint[]? _directory;
    private readonly Dictionary<long, uint[]> _tables = [];
    private readonly byte[] _compressed;
    private readonly byte[] _grain;
    private long _cachedGrain = -1;

    // Sequential (non-seekable) mode: how far the stream has been consumed and the grain read but not yet used.
    private long _position;
    private long _pendingLba = -1;
    private long _lastLba = -1;
    private bool _endOfStream;

    public VmdkReader(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _fileLength = stream.CanSeek ? stream.Length : long.MaxValue;
        var first = ReadExactlyAt(0, Sector, "VMDK header");
        var header = SparseExtentHeader.Read(first, "VMDK header");
        Descriptor = ReadDescriptor(header);
        CreateType = VmdkDescriptor.CreateType(Descriptor) ?? "";
        _grainBytes = (int)header.GrainSize * Sector;
        _compressed = new byte[_grainBytes * 2 + Sector];
        _grain = new byte[_grainBytes];

        if (stream.CanSeek)
        {
            if (header.GdOffset == SparseExtentHeader.GdAtEnd) header = ReadFooter(header);
            _header = header;
            _directory = ReadDirectory();
        }
        else
        {
            if (!header.IsCompressed || !header.HasMarkers)
                throw new InvalidDataException("VMDK: only streamOptimized disks (compressed grains with markers) can be read from a non-seekable stream");
            _header = header;
            Skip((long)header.Overhead * Sector - _position, "VMDK metadata before the first grain");
        }
    }

    public override long Length => (long)_header.Capacity * Sector;

    public string Descriptor { get; }

    public string CreateType { get; }

    public long GrainSize => _grainBytes;

    public override bool Read(long offset, Span<byte> buffer) =>
        ReadByUnits(offset, buffer, _grainBytes, (grain, inGrain, target) =>
        {
            if (!LoadGrain(grain)) return false;
            _grain.AsSpan(inGrain, target.Length).CopyTo(target);
            return true;
        });

    /// <summary>Loads grain <paramref name="grain"/> into <see cref="_grain"/>; false when it is unallocated or zero.</summary>
    private bool LoadGrain(long grain)
    {
        if (grain == _cachedGrain) return true;
        return _directory is null ? LoadNextStreamedGrain(grain) : LoadIndexedGrain(grain);
    }

    private bool LoadIndexedGrain(long grain)
    {
        var tableSpan = (long)_header.GtesPerGt;
        var table = Table(grain / tableSpan);
        var sector = table is null ? 0 : table[grain % tableSpan];
        if (sector == 0 || (sector == ZeroedGrain && _header.HasZeroedGrainEntries)) return false;
        var where = $"VMDK grain {grain} (sector {sector})";
        if (!_header.IsCompressed)
        {
            var raw = ReadExactlyAt((long)sector * Sector, _grainBytes, where);
            raw.CopyTo(_grain, 0);
        }
        else
        {
            var prefix = _header.HasMarkers ? StreamMarker.GrainHeaderSize : 4;
            var head = ReadExactlyAt((long)sector * Sector, prefix, where);
            var (lba, size) = _header.HasMarkers
                ? ((long)BinaryPrimitives.ReadUInt64LittleEndian(head), BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(8)))
                : (grain * (long)_header.GrainSize, BinaryPrimitives.ReadUInt32LittleEndian(head));
            if (lba != grain * (long)_header.GrainSize) throw new InvalidDataException($"{where}: marker says LBA {lba}, the grain table says {grain * (long)_header.GrainSize}");
            InflateGrain((long)sector * Sector + prefix, size, where);
        }
        _cachedGrain = grain;
        return true;
    }

    private bool LoadNextStreamedGrain(long grain)
    {
        var lba = grain * (long)_header.GrainSize;
        while (true)
        {
            if (_pendingLba < 0 && !AdvanceToNextGrain()) return false;
            if (_pendingLba > lba) return false;
            if (_pendingLba == lba)
            {
                _cachedGrain = grain;
                _pendingLba = -1;
                return true;
            }
            _pendingLba = -1; // a grain the caller skipped past
        }
    }

    /// <summary>Reads markers until the next grain (decoded into the buffer) or the end of stream.</summary>
    private bool AdvanceToNextGrain()
    {
        while (!_endOfStream)
        {
            var where = $"VMDK stream at byte {_position}";
            var head = ReadExactlyAt(_position, Sector, where);
            var marker = StreamMarker.Read(head);
            if (marker.IsGrain)
            {
                var lba = (long)marker.Value;
                if (lba % (long)_header.GrainSize != 0 || lba >= (long)_header.Capacity)
                    throw new InvalidDataException($"{where}: grain at LBA {lba} is not a grain boundary inside the disk");
                if (lba <= _lastLba) throw new InvalidDataException($"{where}: grain at LBA {lba} comes after LBA {_lastLba}; a non-seekable read needs grains in order");
                if (marker.Size > _compressed.Length) throw new InvalidDataException($"{where}: compressed grain of {marker.Size} bytes is larger than any grain can be");
                var total = StreamMarker.GrainHeaderSize + (int)marker.Size;
                var firstPart = Math.Min(total, Sector) - StreamMarker.GrainHeaderSize;
                head.AsSpan(StreamMarker.GrainHeaderSize, firstPart).CopyTo(_compressed);
                var rest = ReadExactlyAt(_position, (int)((total + Sector - 1) / Sector * Sector) - Sector, where);
                rest.AsSpan(0, (int)marker.Size - firstPart).CopyTo(_compressed.AsSpan(firstPart));
                GrainCodec.Inflate(_compressed, (int)marker.Size, _grain, $"VMDK grain at LBA {lba}");
                _pendingLba = _lastLba = lba;
                _cachedGrain = -1;
                return true;
            }
            switch (marker.Type)
            {
                case StreamMarker.EndOfStream:
                    _endOfStream = true;
                    break;
                case StreamMarker.GrainTable or StreamMarker.GrainDirectory or StreamMarker.Footer:
                    if (marker.Value > (1ul << 24)) throw new InvalidDataException($"{where}: metadata of {marker.Value} sectors is implausible");
                    Skip((long)marker.Value * Sector, where);
                    break;
                default:
                    throw new InvalidDataException($"{where}: unknown marker type {marker.Type}");
            }
        }
        return false;
    }

    private void InflateGrain(long offset, uint size, string where)
    {
        if (size == 0 || size > _compressed.Length) throw new InvalidDataException($"{where}: compressed size {size} is out of range");
        var data = ReadExactlyAt(offset, (int)size, where);
        data.CopyTo(_compressed, 0);
        GrainCodec.Inflate(_compressed, (int)size, _grain, where);
    }

    private string ReadDescriptor(SparseExtentHeader header)
    {
        if (header.DescriptorOffset == 0 || header.DescriptorSize == 0) return "";
        if (header.DescriptorSize * Sector > MaxDescriptorBytes) throw new InvalidDataException($"VMDK header: descriptor of {header.DescriptorSize} sectors is too large");
        var bytes = ReadExactlyAt((long)header.DescriptorOffset * Sector, (int)header.DescriptorSize * Sector, "VMDK descriptor");
        return Encoding.ASCII.GetString(bytes).TrimEnd('\0');
    }

    private SparseExtentHeader ReadFooter(SparseExtentHeader header)
    {
        if (_fileLength < 4 * Sector || _fileLength % Sector != 0)
            throw new InvalidDataException($"VMDK: {_fileLength} bytes is too short or not whole sectors for a streamOptimized disk with a footer (truncated?)");
        var tail = ReadExactlyAt(_fileLength - 3 * Sector, 3 * Sector, "VMDK footer");
        var footerMarker = StreamMarker.Read(tail);
        var end = StreamMarker.Read(tail.AsSpan(2 * Sector));
        if (footerMarker.Size != 0 || footerMarker.Type != StreamMarker.Footer || end.Size != 0 || end.Type != StreamMarker.EndOfStream || end.Value != 0)
            throw new InvalidDataException($"VMDK footer at byte {_fileLength - 3 * Sector}: missing footer or end-of-stream marker (truncated file?)");
        var footer = SparseExtentHeader.Read(tail.AsSpan(Sector, Sector), "VMDK footer header");
        if (footer.Capacity != header.Capacity || footer.GrainSize != header.GrainSize || footer.GdOffset == SparseExtentHeader.GdAtEnd)
            throw new InvalidDataException("VMDK footer: disagrees with the header");
        return footer;
    }

    private uint[] ReadDirectory()
    {
        var span = _header.GrainSize * _header.GtesPerGt;
        var count = (long)((_header.Capacity + span - 1) / span);
        var bytes = ReadExactlyAt(checked((long)_header.GdOffset * Sector), checked((int)(count * 4)), $"VMDK grain directory (sector {_header.GdOffset})");
        var directory = new uint[count];
        for (var i = 0; i < count; i++) directory[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4));
        return directory;
    }

    private uint[]? Table(long index)
    {
        if (_tables.TryGetValue(index, out var cached)) return cached;
        var sector = _directory![index];
        if (sector == 0) return null;
        var bytes = ReadExactlyAt((long)sector * Sector, (int)_header.GtesPerGt * 4, $"VMDK grain table {index} (sector {sector})");
        var table = new uint[_header.GtesPerGt];
        for (var i = 0; i < table.Length; i++) table[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4));
        _tables[index] = table;
        return table;
    }

    /// <summary>Reads at an offset; from a non-seekable stream only the next bytes can be read.</summary>
    private byte[] ReadExactlyAt(long offset, int count, string where)
    {
        if (!_stream.CanSeek && offset != _position) throw new InvalidOperationException($"{where}: non-seekable read out of order");
        var buffer = FileReads.ReadExactlyAt(_stream, offset, count, where);
        _position = offset + count;
        return buffer;
    }

    private void Skip(long bytes, string where)
    {
        if (bytes < 0) throw new InvalidDataException($"{where}: metadata overlaps what was already read");
        while (bytes > 0)
        {
            var chunk = (int)Math.Min(bytes, 1 << 20);
            ReadExactlyAt(_position, chunk, where);
            bytes -= chunk;
        }
    }

    public override void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
        base.Dispose();
    }
}
