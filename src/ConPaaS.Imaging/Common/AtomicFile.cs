namespace ConPaaS.Imaging.Common;

/// <summary>
/// Writes a file under a temporary name beside its destination and renames it into place only once it is
/// complete and flushed to disk, so a killed or failed write never leaves a partial file at the real name.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private bool _committed;

    private AtomicFile(string destination, string temporaryPath, FileStream stream)
    {
        Destination = destination;
        TemporaryPath = temporaryPath;
        Stream = stream;
    }

    public string Destination { get; }

    public string TemporaryPath { get; }

    public FileStream Stream { get; }

    public static AtomicFile Create(string destination)
    {
        var full = Path.GetFullPath(destination);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        return new AtomicFile(full, temporary, stream);
    }

    /// <summary>Flushes the data to disk and renames the file to its destination.</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(TemporaryPath, Destination, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        File.Delete(TemporaryPath);
    }
}
