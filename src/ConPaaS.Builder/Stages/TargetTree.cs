namespace ConPaaS.Builder.Stages;

/// <summary>
/// An image's root filesystem unpacked in a host directory. Every path is resolved the way the image itself would
/// see it: symlinks are followed with the tree as "/", so an absolute link such as /etc/resolv.conf ->
/// /run/systemd/... can never make the build write to the host.
/// </summary>
public sealed class TargetTree(string root)
{
    private const int MaxLinks = 40;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The host path for <paramref name="imagePath"/>; the last component itself is not followed.</summary>
    public string HostPath(string imagePath) => Resolve(imagePath, followLast: false);

    public bool Exists(string imagePath) => Path.Exists(Resolve(imagePath, followLast: true));

    public IEnumerable<string> List(string imageDirectory, string pattern)
    {
        var directory = Resolve(imageDirectory, followLast: true);
        return Directory.Exists(directory) ? Directory.GetFiles(directory, pattern).Select(Path.GetFileName).Order(StringComparer.Ordinal)! : [];
    }

    public void CreateDirectory(string imagePath)
    {
        var current = "/";
        foreach (var part in Split(imagePath))
        {
            current = current == "/" ? "/" + part : current + "/" + part;
            var host = Resolve(current, followLast: true);
            if (File.Exists(host)) throw new InvalidDataException($"{current} in the image is a file, not a directory");
            if (!Directory.Exists(host)) Directory.CreateDirectory(host);
        }
    }

    public void WriteText(string imagePath, string content, UnixFileMode mode = DefaultFileMode) =>
        WriteBytes(imagePath, System.Text.Encoding.UTF8.GetBytes(content), mode);

    public void WriteBytes(string imagePath, byte[] content, UnixFileMode mode = DefaultFileMode)
    {
        var host = PrepareForNewEntry(imagePath);
        File.WriteAllBytes(host, content);
        File.SetUnixFileMode(host, mode);
    }

    public void CopyFile(string source, string imagePath, UnixFileMode? mode = null)
    {
        var host = PrepareForNewEntry(imagePath);
        File.Copy(source, host);
        if (mode is { } explicitMode) File.SetUnixFileMode(host, explicitMode);
    }

    public void Symlink(string imagePath, string target)
    {
        var host = PrepareForNewEntry(imagePath);
        File.CreateSymbolicLink(host, target);
    }

    public void Delete(string imagePath)
    {
        var host = HostPath(imagePath);
        if (Directory.Exists(host) && !IsLink(host)) Directory.Delete(host, recursive: true);
        else if (File.Exists(host) || IsLink(host)) File.Delete(host);
    }

    /// <summary>Copies a host directory's contents over the tree (an overlay) at <paramref name="imageDirectory"/>,
    /// keeping modes and symlinks.</summary>
    public void Overlay(string sourceDirectory, string imageDirectory = "/")
    {
        foreach (var entry in new DirectoryInfo(sourceDirectory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
                     .OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var imagePath = imageDirectory.TrimEnd('/') + "/" + Path.GetRelativePath(sourceDirectory, entry.FullName).Replace('\\', '/');
            if (entry.LinkTarget is { } link) Symlink(imagePath, link);
            else if (entry is DirectoryInfo) CreateDirectory(imagePath);
            else CopyFile(entry.FullName, imagePath, File.GetUnixFileMode(entry.FullName));
        }
    }

    private const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Makes the parent directories and removes whatever stands at the path (a link is removed, not followed).</summary>
    private string PrepareForNewEntry(string imagePath)
    {
        var parent = ParentOf(imagePath);
        CreateDirectory(parent);
        var host = HostPath(imagePath);
        if (Directory.Exists(host) && !IsLink(host)) throw new InvalidDataException($"{imagePath} in the image is a directory, not a file");
        if (File.Exists(host) || IsLink(host)) File.Delete(host);
        return host;
    }

    private string Resolve(string imagePath, bool followLast)
    {
        var pending = new Stack<string>(Split(imagePath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var host = Path.Combine([Root, .. resolved, part]);
            var isLast = pending.Count == 0;
            if ((!isLast || followLast) && new FileInfo(host).LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new InvalidDataException($"{imagePath}: too many levels of symbolic links in the image");
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var next in Split(target).Reverse()) pending.Push(next);
                continue;
            }
            resolved.Add(part);
        }
        return Path.Combine([Root, .. resolved]);
    }

    private static IEnumerable<string> Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    private static string ParentOf(string imagePath)
    {
        var trimmed = imagePath.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    private static bool IsLink(string host) => new FileInfo(host).LinkTarget is not null;
}
