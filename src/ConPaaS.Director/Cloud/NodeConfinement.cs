using System.Globalization;
using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// What keeps a user's code on the local driver away from everything but its own node, when the director runs as
/// root. Each application's nodes run under an unprivileged user id of their own (LOCAL_UID_BASE + the application's
/// id), with no capabilities and no way to gain any (no_new_privs: setuid programs do not elevate), in a mount
/// namespace of their own where
/// <list type="bullet">
/// <item>the director's directories (configuration, certificates and CA key, database, every node's and volume's
/// files) are covered by empty tmpfs mounts, with only the node's own directory (and a manager's application state)
/// bound back in at the same paths, and the programs' directory read-only;</item>
/// <item>/tmp, /var/tmp, /dev/shm and /run/lock are private, so nodes share no writable place;</item>
/// <item>/proc is the node's own PID namespace's, so other processes are not even listed;</item>
/// <item>/etc/passwd and /etc/group are the node's own short ones naming its user (sshd, ssh-keygen and git insist
/// on a name), so the host's accounts are not listed either.</item>
/// </list>
/// The director's directories are also mode 0700, so even a path the namespace missed is closed to other users.
/// util-linux's unshare and setpriv and a few lines of sh do the work: .NET cannot enter a mount namespace itself,
/// since unshare(2) moves only the calling thread of a multithreaded process.
/// </summary>
public sealed class NodeConfinement(DirectorSettings settings)
{
    /// <summary>Root can give each application a user of its own; anyone else runs every node as themselves.</summary>
    public static bool Available => UnixFiles.RunningAsRoot;

    public uint UserIdOf(long appId) => checked(settings.LocalUidBase + (uint)appId);

    public static string UserNameOf(long appId) => $"cps-app-{appId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Where the director keeps its state: configuration, certificates, data and database.</summary>
    private IEnumerable<string> StateDirectories =>
        new[] { settings.ConfDir, settings.CertDir, settings.UserDataDir, Path.GetDirectoryName(Path.GetFullPath(settings.DatabasePath))! }
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct();

    /// <summary>Directories the whole system uses: never covered or closed, since nodes (and everyone) need them.</summary>
    private static readonly HashSet<string> SystemDirectories =
        ["/", "/etc", "/var", "/var/lib", "/var/tmp", "/tmp", "/home", "/root", "/srv", "/opt", "/usr", "/run", "/dev", "/mnt", "/media"];

    /// <summary>State directories that are system directories: a configuration mistake <c>cpsdirector check</c> names,
    /// since what the director keeps there directly cannot be hidden from nodes.</summary>
    public IReadOnlyList<string> SharedStateDirectories => StateDirectories.Where(SystemDirectories.Contains).ToList();

    /// <summary>The director's own directories, outermost only: what every node's namespace covers.</summary>
    public IReadOnlyList<string> DirectorDirectories
    {
        get
        {
            var own = StateDirectories.Where(d => !SystemDirectories.Contains(d)).ToList();
            return own.Where(d => !own.Any(other => other != d && d.StartsWith(other + "/", StringComparison.Ordinal))).ToList();
        }
    }

    /// <summary>Makes the director's directories its own alone (0700), creating them if need be.</summary>
    public void ProtectDirectorState()
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var directory in StateDirectories.Except(SystemDirectories))
        {
            Directory.CreateDirectory(directory, OwnerOnly);
            File.SetUnixFileMode(directory, OwnerOnly);
        }
    }

    /// <summary>Hands the node's directories to the application's user (mode 0700) and writes the account files its
    /// namespace shows as /etc/passwd and /etc/group, root's and unchangeable by the node.</summary>
    public void Prepare(long appId, string nodeDirectory, string? stateDirectory)
    {
        var uid = UserIdOf(appId);
        foreach (var directory in new[] { nodeDirectory, stateDirectory }.OfType<string>())
        {
            Directory.CreateDirectory(directory);
            UnixFiles.ChangeOwnerRecursively(directory, uid, uid);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var accounts = AccountsDirectory(nodeDirectory);
        Directory.CreateDirectory(accounts);
        var name = UserNameOf(appId);
        File.WriteAllText(Path.Combine(accounts, "passwd"),
            $"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n{name}:x:{uid}:{uid}:ConPaaS application {appId}:{nodeDirectory}:/bin/sh\n");
        File.WriteAllText(Path.Combine(accounts, "group"), $"root:x:0:\nnogroup:x:65534:\n{name}:x:{uid}:\n");
    }

    /// <summary>Root-owned, inside the node's directory so that it goes with it.</summary>
    private static string AccountsDirectory(string nodeDirectory) => Path.Combine(nodeDirectory, "accounts");

    /// <summary>
    /// The command run confined: unshare makes the mount namespace, sh (running as root inside it) covers and binds
    /// back, then setpriv drops to the application's user for good. The node's directories are opened before the
    /// covering, so that they can be bound back through /proc/self/fd although their paths are hidden by then.
    /// </summary>
    public Command Wrap(Command command, long appId, string nodeDirectory, string? stateDirectory)
    {
        var uid = UserIdOf(appId).ToString(CultureInfo.InvariantCulture);
        var bin = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.LocalBinDir));
        var accounts = AccountsDirectory(nodeDirectory);
        var kept = new List<(string Path, bool ReadOnly)> { (nodeDirectory, false), (bin, true) };
        if (stateDirectory is not null) kept.Add((stateDirectory, false));
        static string Q(string word) => Command.QuoteForShell(word);

        var script = new System.Text.StringBuilder("set -eu\n");
        for (var i = 0; i < kept.Count; i++) script.Append($"exec {i + 3}<{Q(kept[i].Path)}\n");
        foreach (var hidden in DirectorDirectories)
            script.Append($"mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev conpaas-hidden {Q(hidden)}\n");
        script.Append("for shared in /tmp /var/tmp /dev/shm /run/lock; do\n")
              .Append("  if [ -d \"$shared\" ]; then mount -t tmpfs -o mode=1777,nosuid,nodev conpaas-private \"$shared\"; fi\n")
              .Append("done\n");
        for (var i = 0; i < kept.Count; i++)
        {
            script.Append($"mkdir -p {Q(kept[i].Path)}\n");
            // --no-canonicalize: mount would otherwise read the fd link back into a path, now the empty cover.
            script.Append($"mount --no-canonicalize --bind /proc/self/fd/{i + 3} {Q(kept[i].Path)}\n");
            if (kept[i].ReadOnly) script.Append($"mount -o remount,bind,ro {Q(kept[i].Path)}\n");
        }
        script.Append($"mount --bind {Q(Path.Combine(accounts, "passwd"))} /etc/passwd\n");
        script.Append($"mount --bind {Q(Path.Combine(accounts, "group"))} /etc/group\n");
        script.Append("mount -t proc -o nosuid,nodev,noexec proc /proc\n");
        for (var i = 0; i < kept.Count; i++) script.Append($"exec {i + 3}<&-\n");
        // The working directory was entered before the covering: enter it again by name, as the node sees it.
        if (command.WorkingDirectory is { } workingDirectory) script.Append($"cd {Q(workingDirectory)}\n");
        script.Append($"exec setpriv --reuid={uid} --regid={uid} --clear-groups --no-new-privs --bounding-set=-all --inh-caps=-all -- \"$@\"\n");

        return new Command("unshare", ["--mount", "--propagation", "private", "--", "sh", "-c", script.ToString(), "sh", command.Tool, .. command.Arguments])
        {
            WorkingDirectory = command.WorkingDirectory,
            Environment = command.Environment
                .SetItem("HOME", nodeDirectory)
                .SetItem("USER", UserNameOf(appId))
                .SetItem("LOGNAME", UserNameOf(appId))
                .SetItem("TMPDIR", "/tmp"),
        };
    }
}
