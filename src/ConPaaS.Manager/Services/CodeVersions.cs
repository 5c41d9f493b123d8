using ConPaaS.Platform.Rpc;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using ConPaaS.Node;

namespace ConPaaS.Manager.Services;

/// <summary>A stored code archive.</summary>
public sealed record CodeVersion(string CodeVersionId, string Filename, string Description, DateTimeOffset Time);

/// <summary>
/// A service's code versions, kept in its state directory (code/VERSION/FILENAME plus versions.json, the index and
/// the active version, read back when a manager of the same application starts again). Every upload is unpacked once
/// into a scratch directory with <see cref="SafeArchive"/>, so a hostile archive is refused at the door with the
/// reason, before any agent sees it.
/// </summary>
public sealed class CodeVersions
{
    private readonly string _directory;
    private readonly Lock _gate = new();
    private List<CodeVersion> _versions = [];

    public string Current { get; private set; } = "code-default";

    /// <param name="defaultFiles">What code-default holds (name and text): the version a service runs before any upload.</param>
    public CodeVersions(string directory, IReadOnlyDictionary<string, string> defaultFiles)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        Load();
        AddDefault(defaultFiles);
    }

    private string IndexPath => Path.Combine(_directory, "versions.json");

    private sealed record Index(string Current, List<CodeVersion> Versions);

    /// <summary>The versions a previous manager kept. A directory the index does not name was never acknowledged (a
    /// manager died mid-upload) and goes.</summary>
    private void Load()
    {
        if (File.Exists(IndexPath) && JsonSerializer.Deserialize<Index>(File.ReadAllText(IndexPath)) is { } index)
        {
            _versions = index.Versions.Where(v => File.Exists(Path.Combine(_directory, v.CodeVersionId, v.Filename))).ToList();
            Current = _versions.Any(v => v.CodeVersionId == index.Current) ? index.Current : Current;
        }
        foreach (var directory in Directory.GetDirectories(_directory))
            if (_versions.All(v => v.CodeVersionId != Path.GetFileName(directory)) && Path.GetFileName(directory) != "code-default")
                Directory.Delete(directory, recursive: true);
    }

    public IReadOnlyList<CodeVersion> All
    {
        get { lock (_gate) return _versions.ToList(); }
    }

    public string PathOf(string id)
    {
        var version = Find(id);
        return Path.Combine(_directory, version.CodeVersionId, version.Filename);
    }

    public CodeVersion Find(string id)
    {
        lock (_gate) return _versions.FirstOrDefault(v => v.CodeVersionId == id) ?? throw new RpcException($"no code version '{id}'");
    }

    public async Task<CodeVersion> AddAsync(Stream upload, string filename, string description, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(filename.Replace('\\', '/'));
        if (name.Length is 0 or > 100 || name.StartsWith('.') || name.Any(c => char.IsControl(c)))
            throw new RpcException($"'{filename}' is not an acceptable archive file name");
        var id = "code-" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 6);
        return (await StoreAsync(id, name, description, async path =>
        {
            await using var output = File.Create(path);
            await upload.CopyToAsync(output, cancellationToken);
            return true;
        }))!;
    }

    /// <summary>
    /// The version <c>git-HASH</c> (the commit's first seven digits, as the guide shows) of the service's directory in
    /// a pushed commit; null when the commit has no such directory. Pushing the same commit again changes nothing.
    /// </summary>
    public async Task<CodeVersion?> AddGitAsync(Git.GitRepository repository, string commit, long serviceId, CancellationToken cancellationToken)
    {
        var hash = commit[..7];
        lock (_gate)
            if (_versions.FirstOrDefault(v => v.CodeVersionId == "git-" + hash) is { } known) return known;
        return await StoreAsync("git-" + hash, hash, "Git upload", path => repository.ExportAsync(commit, serviceId, path, cancellationToken));
    }

    /// <summary>Writes an archive into its version's directory, unpacks it once aside with <see cref="SafeArchive"/>
    /// (a hostile archive is refused here with the reason, and its directory goes), then records the version. Null
    /// when <paramref name="write"/> had nothing to write.</summary>
    private async Task<CodeVersion?> StoreAsync(string id, string name, string description, Func<string, Task<bool>> write)
    {
        var directory = Path.Combine(_directory, id);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        var scratch = Path.Combine(_directory, ".check-" + id);
        try
        {
            if (!await write(path))
            {
                Directory.Delete(directory, recursive: true);
                return null;
            }
            SafeArchive.Extract(path, scratch);
        }
        catch (InvalidDataException e)
        {
            Directory.Delete(directory, recursive: true);
            throw new RpcException($"{name} refused: {e.Message}");
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        var version = new CodeVersion(id, name, description, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _versions.Add(version);
            Save();
        }
        return version;
    }

    public void Enable(string id)
    {
        Find(id);
        lock (_gate)
        {
            Current = id;
            Save();
        }
    }

    public void Delete(string id)
    {
        var version = Find(id);
        if (id == Current) throw new RpcException($"{id} is the active code version; enable another one first");
        if (id.StartsWith("git-")) throw new RpcException($"{id} came with a git push; versions uploaded with git cannot be deleted");
        lock (_gate)
        {
            _versions.Remove(version);
            Save();
        }
        Directory.Delete(Path.Combine(_directory, id), recursive: true);
    }

    private void Save() => Common.AtomicFile.WriteAllText(IndexPath, JsonSerializer.Serialize(new Index(Current, _versions)));

    /// <summary>code-default: scripts that say who and where the agent is, as the original's default did.</summary>
    private void AddDefault(IReadOnlyDictionary<string, string> files)
    {
        var directory = Path.Combine(_directory, "code-default");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "code-default.tar");
        if (!File.Exists(path))
        {
            using var tar = new TarWriter(File.Create(path), TarEntryFormat.Ustar);
            foreach (var (name, text) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                tar.WriteEntry(entry);
            }
        }
        if (_versions.All(v => v.CodeVersionId != "code-default"))
            _versions.Insert(0, new CodeVersion("code-default", "code-default.tar", "Initial version", DateTimeOffset.UtcNow));
        Save();
    }
}
