using ConPaaS.Processes;

namespace ConPaaS.Manager.Git;

/// <summary>
/// OpenSSH's sshd serving the application's repository on the manager's address: public keys only, each bound to the
/// repository's forced command (see <see cref="GitRepository"/>), no passwords, no forwarding, no terminals. It logs
/// in as the user the manager runs as (root on a manager VM; whoever runs the sandbox on the local driver), the
/// only user an sshd can switch to without being root. Its host key is made once and kept with the manager's state.
/// </summary>
public sealed class SshGitServer : IAsyncDisposable
{
    private readonly BackgroundProcess _sshd;

    public string CloneUrl { get; }

    private SshGitServer(BackgroundProcess sshd, string cloneUrl) => (_sshd, CloneUrl) = (sshd, cloneUrl);

    public static async Task<SshGitServer> StartAsync(GitRepository repository, string directory, System.Net.IPEndPoint listen, CancellationToken cancellationToken)
    {
        var hostKey = Path.Combine(directory, "ssh_host_ed25519_key");
        if (!File.Exists(hostKey))
            await new Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cpsmanager git", "-f", hostKey).RunAsync(cancellationToken);
        var user = Environment.UserName;
        var config = Path.Combine(directory, "sshd_config");
        File.WriteAllText(config, $"""
            # Written by cpsmanager at every start: the application's git repository over SSH, nothing else.
            ListenAddress {listen}
            HostKey {hostKey}
            PidFile none
            AuthorizedKeysFile {repository.AuthorizedKeysFile}
            AuthenticationMethods publickey
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin forced-commands-only
            AllowUsers {user}
            UsePAM no
            # The keys file is ours, in the manager's state directory, not in a home directory sshd would check.
            StrictModes no
            PrintMotd no
            AllowTcpForwarding no
            AllowAgentForwarding no
            X11Forwarding no
            PermitTunnel no
            PermitTTY no

            """);
        if (user == "root") Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory
        // sshd re-executes itself and insists on an absolute path.
        var program = ProcessRunner.Resolve("sshd") ?? throw new IOException("sshd is not installed (Debian: openssh-server)");
        await new Command(program, "-t", "-f", config).RunAsync(cancellationToken);
        var log = Path.Combine(directory, "sshd.log");
        // Contained: sshd dies with the manager, however the manager ends.
        var sshd = BackgroundProcess.Start(new Command(program, "-D", "-e", "-f", config).Contained(), log);
        try
        {
            await WaitListeningAsync(sshd, listen, log, cancellationToken);
        }
        catch
        {
            await sshd.KillAsync();
            sshd.Dispose();
            throw;
        }
        var url = listen.Port == 22 ? $"{user}@{listen.Address}:code" : $"ssh://{user}@{listen}/code";
        return new SshGitServer(sshd, url);
    }

    /// <summary>
    /// Waits for this sshd's own "Server listening" line. A connection test would not do: when the port is taken,
    /// whatever holds it answers while our sshd exits.
    /// </summary>
    private static async Task WaitListeningAsync(BackgroundProcess sshd, System.Net.IPEndPoint listen, string log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var listening = $"Server listening on {listen.Address} port {listen.Port}.";
        var delay = new Common.PollingDelay(TimeSpan.FromMilliseconds(10));
        while (!File.ReadLines(log).Contains(listening))
        {
            if (sshd.Exited.IsCompleted)
                throw new IOException($"sshd exited with {sshd.Exited.Result} instead of listening on {listen}: {string.Join(" ", File.ReadLines(log).TakeLast(2))}");
            if (DateTime.UtcNow > deadline) throw new IOException($"sshd does not listen on {listen} after 10 s; see {log}");
            await delay.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sshd.KillAsync();
        _sshd.Dispose();
    }
}
