using System.Formats.Tar;
using System.IO.Compression;

namespace ConPaaS.Node;

/// <summary>
/// Unpacks an untrusted code archive (tar, tar.gz, tar.bz2 or zip, recognised by content) into a new directory.
/// Refused, with nothing left behind: absolute paths, '..', links pointing outside or other links in the way,
/// hard links, devices, FIFOs, sparse and other exotic entries, more than <see cref="MaxEntries"/> entries, and more
/// than <paramref name="maxBytes"/> bytes once expanded (decompression bombs are stopped while they expand).
/// </summary>
public static class SafeArchive
{
    public const int MaxEntries = 10_000;
    public const long DefaultMaxBytes = 256L << 20;

    /// <summary>Extracts into <paramref name="destination"/>, which must not exist; it appears only when complete.</summary>
    public static void Extract(string archivePath, string destination, long maxBytes = DefaultMaxBytes)
    {
        if (Directory.Exists(destination) || File.Exists(destination)) throw new IOException($"{destination} already exists");
        var partial = destination + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        try
        {
            var budget = new Budget(maxBytes);
            using (var file = File.OpenRead(archivePath))
            {
                var magic = new byte[262];
                var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
                file.Position = 0;
                if (read >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) ExtractZip(file, partial, budget);
                else if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) ExtractTar(new GZipStream(file, CompressionMode.Decompress), partial, budget);
                else if (read >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') ExtractTar(new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(file), partial, budget);
                else if (read >= 262 && magic.AsSpan(257, 5).SequenceEqual("ustar"u8)) ExtractTar(file, partial, budget);
                else throw new InvalidDataException("the archive is not tar, tar.gz, tar.bz2 or zip");
            }
            Directory.Move(partial, destination);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            Directory.Delete(partial, recursive: true);
            // A header that lies (a base-256 size of 2^64, say) fails inside the readers as an overflow.
            throw e is IOException or UnauthorizedAccessException or FormatException or NotSupportedException or ArithmeticException
                    or ICSharpCode.SharpZipLib.SharpZipBaseException or ArgumentException
                ? new InvalidDataException($"the archive cannot be unpacked: {e.Message}", e)
                : e;
        }
        catch
        {
            Directory.Delete(partial, recursive: true);
            throw;
        }
    }

    private sealed class Budget(long maxBytes)
    {
        private long _bytes;
        private int _entries;
        private readonly Dictionary<string, string> _links = [];

        public void Entry()
        {
            if (++_entries > MaxEntries) throw new InvalidDataException($"the archive has more than {MaxEntries} entries");
        }

        public void Bytes(long count)
        {
            _bytes += count;
            if (_bytes > maxBytes) throw new InvalidDataException($"the archive expands to more than {maxBytes >> 20} MiB");
        }

        /// <summary>Entries may not pass through a link the archive made (a link to '.' then 'link/../..').</summary>
        public void NotThroughLink(string relative)
        {
            for (var parent = Path.GetDirectoryName(relative); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
                if (_links.ContainsKey(parent)) throw new InvalidDataException($"'{relative}' lies behind the link '{parent}'");
            if (_links.ContainsKey(relative)) throw new InvalidDataException($"'{relative}' would overwrite a link");
        }

        public void Link(string relative, string target) => _links[relative] = target;

        /// <summary>
        /// Every link resolved as the unpacked tree resolves it, through the archive's other links (a link 'd/l' to
        /// '..' makes 'd/l/..' leave the tree, though each link alone looks harmless); checked once all are made,
        /// because a later link can change where an earlier one leads.
        /// </summary>
        public void LinksStayInside()
        {
            foreach (var (link, target) in _links)
                if (Resolve(Parent(link), target, hops: 0) is null)
                    throw new InvalidDataException($"the link '{link}' leads outside the archive ('{target}') through its other links");
        }

        /// <summary>The components <paramref name="path"/> leads to from <paramref name="directory"/>; null outside.</summary>
        private List<string>? Resolve(List<string> directory, string path, int hops)
        {
            if (path.StartsWith('/')) return null;
            var at = new List<string>(directory);
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == ".") continue;
                if (part == "..")
                {
                    if (at.Count == 0) return null;
                    at.RemoveAt(at.Count - 1);
                    continue;
                }
                at.Add(part);
                if (!_links.TryGetValue(string.Join('/', at), out var next)) continue;
                if (hops >= 40) throw new InvalidDataException($"the archive's links loop ('{string.Join('/', at)}')");
                at.RemoveAt(at.Count - 1);
                if (Resolve(at, next, hops + 1) is not { } resolved) return null;
                at = resolved;
            }
            return at;
        }

        private static List<string> Parent(string relative) => [.. relative.Split('/')[..^1]];
    }

    private static void ExtractTar(Stream stream, string root, Budget budget)
    {
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            budget.Entry();
            var relative = Relative(entry.Name);
            if (relative is null) continue; // "./" itself
            budget.NotThroughLink(relative);
            var target = Path.Combine(root, relative);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    budget.Bytes(entry.Length);
                    WriteFile(entry.DataStream, target, budget, declared: true);
                    break;
                case TarEntryType.SymbolicLink:
                    CheckLinkTarget(relative, entry.LinkName);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    budget.Link(relative, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    throw new InvalidDataException($"'{entry.Name}' is a hard link; archives may hold files, directories and relative links only");
                case TarEntryType.BlockDevice or TarEntryType.CharacterDevice or TarEntryType.Fifo:
                    throw new InvalidDataException($"'{entry.Name}' is a device or FIFO; archives may hold files, directories and relative links only");
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes or TarEntryType.LongLink or TarEntryType.LongPath:
                    break;
                default:
                    throw new InvalidDataException($"'{entry.Name}' is a {entry.EntryType} entry, which code archives may not hold");
            }
        }
        budget.LinksStayInside();
    }

    private static void ExtractZip(Stream stream, string root, Budget budget)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            budget.Entry();
            var relative = Relative(entry.FullName);
            if (relative is null) continue;
            budget.NotThroughLink(relative);
            var target = Path.Combine(root, relative);
            // Unix file type from the external attributes: only regular files and directories are accepted.
            var type = (entry.ExternalAttributes >> 16) & 0xF000;
            if (type is not (0 or 0x8000 or 0x4000))
                throw new InvalidDataException($"'{entry.FullName}' is not a regular file or directory (mode {type:x4})");
            if (entry.FullName.EndsWith('/') || type == 0x4000)
            {
                Directory.CreateDirectory(target);
                continue;
            }
            using var data = entry.Open();
            // The sizes in a zip's headers can lie: the budget counts the bytes actually inflated.
            WriteFile(data, target, budget, declared: false);
        }
    }

    private static void WriteFile(Stream? data, string target, Budget budget, bool declared)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        if (data is null) return;
        var buffer = new byte[81920];
        int read;
        while ((read = data.Read(buffer)) > 0)
        {
            if (!declared) budget.Bytes(read);
            output.Write(buffer, 0, read);
        }
    }

    /// <summary>The entry's path made relative and checked; null for the archive's own "./".</summary>
    private static string? Relative(string name)
    {
        if (name.Length == 0 || name.Contains('\0')) throw new InvalidDataException("an entry has an empty or invalid name");
        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':')) throw new InvalidDataException($"'{name}' is an absolute path");
        var parts = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains("..")) throw new InvalidDataException($"'{name}' climbs out of the archive with '..'");
        return parts.Length == 0 ? null : Path.Combine(parts);
    }

    private static void CheckLinkTarget(string relative, string linkName)
    {
        if (linkName.StartsWith('/')) throw new InvalidDataException($"the link '{relative}' points to the absolute path '{linkName}'");
        var depth = relative.Split('/').Length - 1;
        foreach (var part in linkName.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            depth += part switch { ".." => -1, "." => 0, _ => 1 };
            if (depth < 0) throw new InvalidDataException($"the link '{relative}' points outside the archive ('{linkName}')");
        }
    }
}
