using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ConPaaS.Imaging.Formats;
using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Vmdk;

/// <summary>
/// Writes a streamOptimized VMDK (the disk inside an .ova): deflated 64 KiB grains, all-zero grains left out,
/// grain tables, directory and footer at the end, so the output is written strictly front to back and may be a
/// pipe. Grains are compressed in parallel on every core while the next batch is read.
/// </summary>
public sealed class VmdkStreamWriter : IImageWriter
{
    private const int Sector = 512;
    private const int GrainSectors = 128;
    private const int GrainBytes = GrainSectors * Sector;
    private const int GtesPerGt = 512;
    private const int DescriptorSectors = 20;
    private const int OverheadSectors = GrainSectors; // header + descriptor, padded so grains start on a grain boundary
    private const int BatchGrains = 256; // 16 MiB of input per batch

    /// <summary>The file name the descriptor's extent line carries, e.g. "nutshell-disk1.vmdk".</summary>
    public string ExtentName { get; init; } = "disk.vmdk";

    public Guid ImageUuid { get; init; } = Guid.Empty;

    /// <summary>zlib level 0-9; 1 is fast and still stores a typical root filesystem compactly.</summary>
    public int CompressionLevel { get; init; } = 1;

    public void Write(DiskSource source, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var capacitySectors = (source.Length + Sector - 1) / Sector;
        var grainCount = (capacitySectors + GrainSectors - 1) / GrainSectors;
        var tableCount = (grainCount + GtesPerGt - 1) / GtesPerGt;
        var grainTable = new uint[tableCount * GtesPerGt];
        var header = new SparseExtentHeader(3,
            SparseExtentHeader.FlagValidNewlineTest | SparseExtentHeader.FlagCompressed | SparseExtentHeader.FlagMarkers,
            (ulong)capacitySectors, GrainSectors, 1, DescriptorSectors, GtesPerGt, SparseExtentHeader.GdAtEnd,
            OverheadSectors, SparseExtentHeader.CompressionDeflate);

        var sink = new SectorSink(output);
        var head = new byte[OverheadSectors * Sector];
        header.Write(head);
        var descriptor = Encoding.ASCII.GetBytes(VmdkDescriptor.Create(capacitySectors, ExtentName, ContentId(), ImageUuid));
        if (descriptor.Length > DescriptorSectors * Sector) throw new InvalidOperationException("VMDK descriptor outgrew its sectors");
        descriptor.CopyTo(head, Sector);
        sink.Write(head);

        WriteGrains(source, grainCount, grainTable, sink, progress, cancellationToken);
        var directory = WriteGrainTables(grainTable, tableCount, sink);
        var directorySector = WriteMetadata(sink, StreamMarker.GrainDirectory, directory);

        var footer = new byte[3 * Sector];
        StreamMarker.WriteMetadata(footer, 1, StreamMarker.Footer);
        (header with { GdOffset = directorySector }).Write(footer.AsSpan(Sector));
        StreamMarker.WriteMetadata(footer.AsSpan(2 * Sector), 0, StreamMarker.EndOfStream);
        sink.Write(footer);
        output.Flush();
    }

    private void WriteGrains(DiskSource source, long grainCount, uint[] grainTable, SectorSink sink,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var options = new ZLibCompressionOptions { CompressionLevel = CompressionLevel };
        var batches = (grainCount + BatchGrains - 1) / BatchGrains;
        Batch spare = new(), current = new();
        current.Fill(source, 0, grainCount);
        Task<Batch>? next = null;
        try
        {
            for (long b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (toFill, nextFirst) = (spare, (b + 1) * BatchGrains);
                next = b + 1 < batches ? Task.Run(() => { toFill.Fill(source, nextFirst, grainCount); return toFill; }) : null;

                Parallel.For(0, current.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                {
                    if (!current.HasData[i]) return;
                    current.CompressedSize[i] = GrainCodec.Deflate(current.Input, i * GrainBytes, GrainBytes, current.Output[i],
                        StreamMarker.GrainHeaderSize, options);
                });

                for (var i = 0; i < current.Count; i++)
                {
                    if (!current.HasData[i]) continue;
                    var grain = current.FirstGrain + i;
                    var buffer = current.Output[i];
                    StreamMarker.WriteGrainHeader(buffer, (ulong)(grain * GrainSectors), (uint)current.CompressedSize[i]);
                    grainTable[grain] = checked((uint)sink.Sector);
                    sink.WritePadded(buffer, StreamMarker.GrainHeaderSize + current.CompressedSize[i]);
                }
                progress?.Report(Math.Min((current.FirstGrain + current.Count) * (long)GrainBytes, source.Length));

                if (next is null) break;
                spare = current;
                current = next.GetAwaiter().GetResult();
                next = null;
            }
        }
        finally
        {
            // Never leave a reader running on the source after returning, even on failure or cancellation.
            if (next is not null) ((IAsyncResult)next).AsyncWaitHandle.WaitOne();
        }
    }

    /// <summary>Writes each grain table that maps at least one grain; returns the directory pointing at them.</summary>
    private static uint[] WriteGrainTables(uint[] grainTable, long tableCount, SectorSink sink)
    {
        var directory = new uint[tableCount];
        for (var t = 0; t < tableCount; t++)
        {
            var entries = grainTable.AsSpan(t * GtesPerGt, GtesPerGt);
            if (!entries.ContainsAnyExcept(0u)) continue;
            directory[t] = checked((uint)WriteMetadata(sink, StreamMarker.GrainTable, entries.ToArray()));
        }
        return directory;
    }

    /// <summary>Writes a marker and its little-endian uint32 payload; returns the payload's first sector.</summary>
    private static ulong WriteMetadata(SectorSink sink, uint type, uint[] entries)
    {
        var sectors = (entries.Length * 4 + Sector - 1) / Sector;
        var buffer = new byte[(1 + sectors) * Sector];
        StreamMarker.WriteMetadata(buffer, (ulong)sectors, type);
        for (var i = 0; i < entries.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(Sector + i * 4), entries[i]);
        var payloadSector = (ulong)sink.Sector + 1;
        sink.Write(buffer);
        return payloadSector;
    }

    private uint ContentId() => ImageUuid == Guid.Empty ? 0xfffffffe : BinaryPrimitives.ReadUInt32LittleEndian(ImageUuid.ToByteArray());

    /// <summary>One batch of grains: the input bytes, which grains hold data, and their compressed forms.</summary>
    private sealed class Batch
    {
        public readonly byte[] Input = new byte[BatchGrains * GrainBytes];
        public readonly bool[] HasData = new bool[BatchGrains];
        public readonly int[] CompressedSize = new int[BatchGrains];
        public readonly byte[][] Output = Enumerable.Range(0, BatchGrains).Select(_ => new byte[GrainBytes * 2]).ToArray();
        public long FirstGrain;
        public int Count;

        public void Fill(DiskSource source, long firstGrain, long grainCount)
        {
            FirstGrain = firstGrain;
            Count = (int)Math.Min(BatchGrains, grainCount - firstGrain);
            for (var i = 0; i < Count; i++)
            {
                var grain = Input.AsSpan(i * GrainBytes, GrainBytes);
                HasData[i] = source.Read((firstGrain + i) * GrainBytes, grain) && !DiskSource.IsZero(grain);
            }
        }
    }

    /// <summary>Counts what has been written, so the writer never needs to seek (the output may be a pipe).</summary>
    private sealed class SectorSink(Stream output)
    {
        private static readonly byte[] Padding = new byte[VmdkStreamWriter.Sector];
        private long _bytes;

        public long Sector => _bytes / VmdkStreamWriter.Sector;

        public void Write(byte[] data)
        {
            output.Write(data);
            _bytes += data.Length;
        }

        public void WritePadded(byte[] data, int length)
        {
            output.Write(data, 0, length);
            var pad = (int)((VmdkStreamWriter.Sector - length % VmdkStreamWriter.Sector) % VmdkStreamWriter.Sector);
            output.Write(Padding, 0, pad);
            _bytes += length + pad;
        }
    }
}
