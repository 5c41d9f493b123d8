using System.Buffers.Binary;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Vdi;

/// <summary>Reads a dynamic or fixed VDI from a seekable stream, checking every block map entry against the file.</summary>
public sealed class VdiReader : DiskSource
{
    private readonly Stream _stream;
    private readonly VdiHeader _header;
    private readonly uint[] _map;

    public VdiReader(Stream stream)
    {
        if (!stream.CanSeek) throw new NotSupportedException("reading a VDI needs a seekable stream");
        _stream = stream;
        _header = VdiHeader.Read(FileReads.ReadExactlyAt(stream, 0, VdiHeader.Size, "VDI header"));
        var mapBytes = (long)_header.BlocksInImage * 4;
        if (_header.BlockMapOffset + mapBytes > stream.Length || _header.BlocksInImage > (1 << 26))
            throw new InvalidDataException($"VDI block map ({_header.BlocksInImage} entries at byte {_header.BlockMapOffset}) lies beyond the file (truncated?)");
        var raw = FileReads.ReadExactlyAt(stream, _header.BlockMapOffset, (int)mapBytes, "VDI block map");
        _map = new uint[_header.BlocksInImage];
        for (var i = 0; i < _map.Length; i++)
        {
            var entry = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4));
            if (entry < VdiHeader.Discarded && _header.DataOffset + ((long)entry + 1) * _header.BlockSize > stream.Length)
                throw new InvalidDataException($"VDI block {i} maps to data block {entry}, beyond the end of the file (truncated?)");
            _map[i] = entry;
        }
    }

    public override long Length => (long)_header.DiskSize;

    public override bool Read(long offset, Span<byte> buffer) =>
        ReadByUnits(offset, buffer, _header.BlockSize, (block, inBlock, target) =>
        {
            var entry = _map[block];
            if (entry >= VdiHeader.Discarded) return false;
            FileReads.ReadExactlyAt(_stream, target, _header.DataOffset + (long)entry * _header.BlockSize + inBlock, $"VDI block {block}");
            return true;
        });

    public override void Dispose()
    {
        _stream.Dispose();
        base.Dispose();
    }
}
