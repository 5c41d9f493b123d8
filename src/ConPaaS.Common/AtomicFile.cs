namespace ConPaaS.Common;

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

    /// <summary>Writes <paramref name="text"/> to <paramref name="destination"/> all at once or not at all.</summary>
    public static void WriteAllText(string destination, string text) =>
        WriteAllBytes(destination, System.Text.Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string destination, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(destination);
        file.Stream.Write(bytes);
        file.Commit();
    }

    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        File.Delete(TemporaryPath);
    }
}
