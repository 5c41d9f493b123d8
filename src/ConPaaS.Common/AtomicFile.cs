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

    /// <param name="mode">The file's permissions, set at creation (a secret is never readable by others, not even briefly).</param>
    public static AtomicFile Create(string destination, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(destination);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.Read, BufferSize = 1 << 20 };
        if (mode is { } permissions) options.UnixCreateMode = permissions;
        var stream = new FileStream(temporary, options);
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
    public static void WriteAllText(string destination, string text, UnixFileMode? mode = null) =>
        WriteAllBytes(destination, System.Text.Encoding.UTF8.GetBytes(text), mode);

    public static void WriteAllBytes(string destination, ReadOnlySpan<byte> bytes, UnixFileMode? mode = null)
    {
        using var file = Create(destination, mode);
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
