using ConPaaS.Imaging.Sources;

namespace ConPaaS.Imaging.Formats;

/// <summary>Writes a disk's contents in one format. Every writer streams: it reads the source once, in order.</summary>
public interface IImageWriter
{
    /// <param name="progress">Receives the number of source bytes consumed so far.</param>
    void Write(DiskSource source, Stream output, IProgress<long>? progress, CancellationToken cancellationToken);
}
