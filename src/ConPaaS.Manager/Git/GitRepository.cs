using ConPaaS.Platform.Rpc;
using ConPaaS.Node;
using ConPaaS.Processes;

namespace ConPaaS.Manager.Git;

/// <summary>
/// The application's one git repository (a bare repository named <c>code</c>), the SSH keys allowed to reach it and
/// the two scripts around it: the forced command every key is bound to, which lets a key do nothing but clone, fetch
/// and push this repository, and the post-receive hook, which tells the manager that code arrived. Code for a service
/// lives in a top-level directory named after the service id; each push becomes a version <c>git-HASH</c>.
/// </summary>
public sealed class GitRepository
{
    private readonly string _directory;
    private readonly Lock _gate = new();

    public string Path { get; }
    public string AuthorizedKeysFile => System.IO.Path.Combine(_directory, "authorized_keys");
    private string ServeScript => System.IO.Path.Combine(_directory, "serve.sh");

    /// <param name="directory">Where the repository and its files live (the manager's state directory/git).</param>
    /// <param name="hook">The command the post-receive hook runs (cpsmanager git-push-hook --config ...).</param>
    public static async Task<GitRepository> OpenAsync(string directory, IReadOnlyList<string> hook, CancellationToken cancellationToken)
    {
        var repository = new GitRepository(directory);
        Directory.CreateDirectory(directory);
        if (!File.Exists(System.IO.Path.Combine(repository.Path, "HEAD")))
        {
            // Made aside and renamed: a manager killed half-way leaves no half-made repository behind.
            var scratch = repository.Path + ".new";
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            await new Command("git", "init", "--quiet", "--bare", "--initial-branch=master", scratch).RunAsync(cancellationToken);
            // Pushes are untrusted: objects are checked, and one push is capped like an uploaded archive.
            await new Command("git", "-C", scratch, "config", "receive.fsckObjects", "true").RunAsync(cancellationToken);
            await new Command("git", "-C", scratch, "config", "receive.maxInputSize", SafeArchive.DefaultMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).RunAsync(cancellationToken);
            Directory.Move(scratch, repository.Path);
        }
        WriteExecutable(System.IO.Path.Combine(repository.Path, "hooks", "post-receive"),
            $"#!/bin/sh\n# Tells the application manager that code arrived; git shows what it says to the pusher.\nexec {string.Join(' ', hook.Select(Quote))}\n");
        WriteExecutable(repository.ServeScript, $$"""
            #!/bin/sh
            # The forced command of every uploaded key: clone, fetch and push of 'code', nothing else.
            case "$SSH_ORIGINAL_COMMAND" in
              "git-upload-pack 'code'" | "git-upload-pack '/code'" | "git-upload-pack 'code.git'" | "git-upload-pack '/code.git'")
                exec git-upload-pack {{Quote(repository.Path)}} ;;
              "git-receive-pack 'code'" | "git-receive-pack '/code'" | "git-receive-pack 'code.git'" | "git-receive-pack '/code.git'")
                exec git-receive-pack {{Quote(repository.Path)}} ;;
              *)
                echo "this key only clones, fetches and pushes the application's repository 'code'" >&2
                exit 1 ;;
            esac

            """);
        if (!File.Exists(repository.AuthorizedKeysFile)) repository.WriteKeys([]);
        return repository;
    }

    private GitRepository(string directory)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, "code");
    }

    /// <summary>The keys, read back from authorized_keys (the file is the only record, so it survives restarts).</summary>
    public IReadOnlyList<SshPublicKey> Keys
    {
        get
        {
            lock (_gate)
                return File.ReadLines(AuthorizedKeysFile)
                    .Where(line => line.Contains(KeyOptions))
                    .Select(line => SshPublicKey.Parse(line[(line.IndexOf(KeyOptions, StringComparison.Ordinal) + KeyOptions.Length)..]))
                    .ToList();
        }
    }

    /// <summary>Adds a key (once); false when it was already there.</summary>
    public bool AddKey(SshPublicKey key)
    {
        lock (_gate)
        {
            var keys = Keys.ToList();
            if (keys.Any(k => k.Type == key.Type && k.Blob == key.Blob)) return false;
            keys.Add(key);
            WriteKeys(keys);
            return true;
        }
    }

    /// <summary>The commit master points at, or null before the first push.</summary>
    public async Task<string?> HeadAsync(CancellationToken cancellationToken)
    {
        var result = await Git("rev-parse", "--verify", "--quiet", "refs/heads/master^{commit}").RunAsync(cancellationToken, allowFailure: true);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>Writes the directory <paramref name="serviceId"/> of <paramref name="commit"/> as a tar archive (its
    /// contents at the archive's top); false when the commit has no such directory.</summary>
    public async Task<bool> ExportAsync(string commit, long serviceId, string tarPath, CancellationToken cancellationToken)
    {
        var tree = $"{commit}:{serviceId}";
        var kind = await Git("cat-file", "-t", tree).RunAsync(cancellationToken, allowFailure: true);
        if (!kind.Succeeded || kind.StandardOutput.Trim() != "tree") return false;
        await Git("archive", "--format=tar", "-o", tarPath, tree).RunAsync(cancellationToken);
        return true;
    }

    private Command Git(params string[] arguments) => new("git", ["-C", Path, .. arguments]);

    /// <summary>What ends each key's options: <c>restrict</c> turns off forwarding, terminals and the rest.</summary>
    private const string KeyOptions = ",restrict ";

    // sshd hands the command to the login shell, so the single-quoted path inside the double quotes stays one word.
    private void WriteKeys(IEnumerable<SshPublicKey> keys) => WriteAtomically(AuthorizedKeysFile,
        string.Concat(keys.Select(k => $"command=\"{Quote(ServeScript)}\"{KeyOptions}{k}\n")), executable: false);

    private static void WriteExecutable(string path, string text) => WriteAtomically(path, text, executable: true);

    private static void WriteAtomically(string path, string text, bool executable) =>
        ConPaaS.Common.AtomicFile.WriteAllText(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite | (executable ? UnixFileMode.UserExecute : 0));

    /// <summary>Single-quotes a path for sh; our own paths never hold quotes, and one that does is refused.</summary>
    private static string Quote(string text) =>
        text.Contains('\'') || text.Contains('"') || text.Any(char.IsControl)
            ? throw new RpcException($"git deployment cannot use the path {text}: it holds quotes or control characters")
            : $"'{text}'";
}
