using System.Buffers.Binary;
using ConPaaS.Imaging.Common;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Vdi;

/// <summary>
/// Writes a dynamic VDI (VirtualBox's native format, the seeds' nutshell.vdi): 1 MiB blocks, all-zero blocks left
/// unallocated. The block map precedes the data, so the output must be seekable.
/// </summary>
public sealed class VdiWriter : IImageWriter
{
    private const int BlockSize = 1 << 20;
    private const int BlockMapOffset = VdiHeader.Size;

    public Guid ImageUuid { get; init; } = Guid.Empty;

    public void Write(DiskSource source, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (!output.CanSeek) throw new NotSupportedException("a VDI needs a seekable output: its block map comes before the data");
        var blocks = checked((uint)((source.Length + BlockSize - 1) / BlockSize));
        var map = new uint[blocks];
        var dataOffset = checked((uint)ByteSize.AlignUp(BlockMapOffset + blocks * 4L, BlockSize));
        var start = output.Position;
        output.Position = start + dataOffset;

        var buffer = new byte[BlockSize];
        uint allocated = 0;
        for (uint block = 0; block < blocks; block++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = (long)block * BlockSize;
            if (source.Read(offset, buffer) && !DiskSource.IsZero(buffer))
            {
                output.Write(buffer);
                map[block] = allocated++;
            }
            else
            {
                map[block] = VdiHeader.Unallocated;
            }
            progress?.Report(Math.Min(offset + BlockSize, source.Length));
        }
        var end = output.Position;

        var head = new byte[dataOffset];
        new VdiHeader(VdiHeader.TypeDynamic, BlockMapOffset, dataOffset, (ulong)source.Length, BlockSize, blocks, allocated,
            ImageUuid == Guid.Empty ? Guid.NewGuid() : ImageUuid,
            ImageUuid == Guid.Empty ? Guid.NewGuid() : DeterministicId.Guid($"{ImageUuid}/last-snapshot")).Write(head);
        for (var i = 0; i < blocks; i++) BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(BlockMapOffset + i * 4), map[i]);
        output.Position = start;
        output.Write(head);
        output.Position = end;
        output.Flush();
    }
}
