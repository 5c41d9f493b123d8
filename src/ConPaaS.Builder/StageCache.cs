using System.Security.Cryptography;
using System.Text;

namespace ConPaaS.Builder;

/// <summary>
/// Per-stage caches under out/cache/STAGE/KEY, where KEY hashes everything the stage's output depends on. A stage
/// builds into a temporary directory that is renamed to its key only when complete, so a killed build never
/// leaves a cache entry that looks finished.
/// </summary>
public sealed class StageCache(string root, Action<string>? log = null)
{
    /// <summary>Entries kept per stage. The recipes share the rootfs and customize stages (the Nutshell, the services
    /// container and VM images, the Pi): with 2, building the Pi image evicted the container image's root filesystem,
    /// and the next Nutshell build ran mmdebstrap again (5 minutes of a CI run).</summary>
    public const int KeptEntries = 6;

    public string Root { get; } = root;

    /// <summary>A key over file contents (with their paths relative to <paramref name="baseDirectory"/>; a symbolic link by
    /// its target) and extra strings.</summary>
    public static string Key(string baseDirectory, IEnumerable<string> files, params string[] extras)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files.Select(Path.GetFullPath).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(baseDirectory, file) + "\0"));
            // A link (an overlay's /etc/resolv.conf -> ../run/...) is copied as a link: its target text is its content.
            hash.AppendData(new FileInfo(file).LinkTarget is { } link ? SHA256.HashData(Encoding.UTF8.GetBytes("link:" + link)) : SHA256.HashData(File.ReadAllBytes(file)));
        }
        foreach (var extra in extras) hash.AppendData(Encoding.UTF8.GetBytes(extra + "\0"));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    public string PathOf(string stage, string key) => Path.Combine(Root, stage, key);

    public bool Has(string stage, string key) => Directory.Exists(PathOf(stage, key));

    /// <summary>Returns the cached directory for <paramref name="key"/>, building it first when absent.</summary>
    public async Task<string> GetOrBuildAsync(string stage, string key, Func<string, Task> build)
    {
        var final = PathOf(stage, key);
        if (Directory.Exists(final))
        {
            log?.Invoke($"  cache hit: {stage}/{key}");
            Directory.SetLastWriteTimeUtc(final, DateTime.UtcNow); // most recently used survives pruning
            return final;
        }
        var stageDirectory = Path.Combine(Root, stage);
        Directory.CreateDirectory(stageDirectory);
        RemoveAbandoned(stageDirectory);
        var temporary = Path.Combine(stageDirectory, $".{key}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        try
        {
            await build(temporary);
            Directory.Move(temporary, final);
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
        Prune(stageDirectory, final);
        return final;
    }

    /// <summary>Deletes temporary directories whose builder process no longer exists (a killed build).</summary>
    private static void RemoveAbandoned(string stageDirectory)
    {
        foreach (var directory in Directory.GetDirectories(stageDirectory, ".*.tmp"))
        {
            var parts = Path.GetFileName(directory).Split('.');
            if (parts.Length >= 3 && int.TryParse(parts[^2], out var pid) && !Directory.Exists($"/proc/{pid}"))
                Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Keeps the most recently used few entries of a stage, so the cache does not grow without bound.</summary>
    private static void Prune(string stageDirectory, string keep)
    {
        var stale = new DirectoryInfo(stageDirectory).GetDirectories()
            .Where(d => !d.Name.StartsWith('.') && d.FullName != keep)
            .OrderByDescending(d => d.LastWriteTimeUtc)
            .Skip(KeptEntries - 1);
        foreach (var directory in stale) directory.Delete(recursive: true);
    }
}
