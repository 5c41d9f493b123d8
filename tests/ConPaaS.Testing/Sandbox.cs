using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Testing;

/// <summary>
/// A real director: the published cpsdirector binary running 'sandbox' in a temporary directory on a free TLS
/// port, nodes on a loopback /24 of its own, and a HOME of its own for the real cps-tools; with a frontend port, the
/// real cpsfrontend beside it (the director starts it).
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly IReadOnlyDictionary<string, string> _environment;
    private BackgroundProcess? _director;

    public int Port { get; } = ConPaaS.Common.LoopbackPort.FindFree();
    public string Subnet { get; } = $"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 250)}.0/24";
    public string Directory => _directory.File("state");
    public string Home => _directory.File("home");
    public string ToolsConfig => Path.Combine(Directory, "cps-tools.conf");
    public string DatabasePath => Path.Combine(Directory, "director.db");
    public string Log => _directory.File("director.log");

    public const string User = "test";
    public const string Password = "password";
    public Uri Url => new($"https://127.0.0.1:{Port}");

    public static string Bin
    {
        get
        {
            var bin = Environment.GetEnvironmentVariable("CPS_BIN") is { Length: > 0 } set ? set : Path.Combine(Repository.Root, "out", "bin");
            if (!File.Exists(Path.Combine(bin, "cpsdirector")) || !File.Exists(Path.Combine(bin, "cps-tools")))
                throw new InvalidOperationException($"{bin} lacks cpsdirector or cps-tools; run ./build.sh --target Test (it publishes them first)");
            return bin;
        }
    }

    /// <summary>Where cpsfrontend serves, when this sandbox has one.</summary>
    public int? FrontendPort { get; }
    public Uri FrontendUrl => new($"https://127.0.0.1:{FrontendPort ?? throw new InvalidOperationException("this sandbox has no frontend")}");
    public string FrontendLog => Path.Combine(Directory, "frontend.log");

    private Sandbox(IReadOnlyDictionary<string, string> environment, bool withFrontend)
    {
        _environment = environment;
        if (withFrontend) FrontendPort = ConPaaS.Common.LoopbackPort.FindFree();
    }

    public static async Task<Sandbox> StartAsync(IReadOnlyDictionary<string, string>? environment = null, bool withFrontend = false)
    {
        var sandbox = new Sandbox(environment ?? new Dictionary<string, string>(), withFrontend);
        System.IO.Directory.CreateDirectory(sandbox.Home);
        await sandbox.RestartAsync();
        return sandbox;
    }

    /// <summary>A sandbox whose user holds certificates and owns application 1 (<paramref name="name"/>), started.</summary>
    public static async Task<Sandbox> WithStartedApplicationAsync(string name = "services", bool withFrontend = false)
    {
        var sandbox = await StartAsync(withFrontend: withFrontend);
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", name);
        await sandbox.CpsToolsOkAsync("application", "start", "1");
        return sandbox;
    }

    /// <summary>Starts (again) the director on the same state and port, and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        var command = new Command(Path.Combine(Bin, "cpsdirector"), "sandbox", Directory, "--port", Port.ToString(), "--subnet", Subnet).Contained();
        if (FrontendPort is { } frontend) command = command.WithArguments("--frontend-port", frontend.ToString());
        foreach (var (name, value) in _environment) command = command.WithEnvironment(name, value);
        _director = BackgroundProcess.Start(command, Log);
        using var client = TlsClient.Create(null, null, checkHostName: false, timeout: TimeSpan.FromSeconds(2));
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_director.Exited.IsCompleted) throw new InvalidOperationException($"the director exited: {File.ReadAllText(Log)}");
            try
            {
                using var response = await client.GetAsync(new Uri(Url, "/version"));
                if (response.IsSuccessStatusCode && (FrontendPort is null || await AnswersAsync(client, new Uri(FrontendUrl, "/login")))) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or (a loaded machine, a program's first start) not answering within the client's 2 s.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the director did not answer on {Url}: {File.ReadAllText(Log)}");
    }

    private static async Task<bool> AnswersAsync(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILLs the director (its nodes die with it).</summary>
    public async Task KillAsync()
    {
        if (_director is null) return;
        await _director.KillAsync();
        _director.Dispose();
        _director = null;
    }

    /// <summary>Runs the real cps-tools against this director.</summary>
    public Task<CommandResult> CpsToolsAsync(params string[] arguments) => RunToolAsync("cps-tools", arguments);

    public Task<CommandResult> RunToolAsync(string tool, params string[] arguments) => RunToolWithAsync(ToolsConfig, tool, arguments);

    public async Task<CommandResult> RunToolWithAsync(string config, string tool, params string[] arguments)
    {
        var command = new Command(Path.Combine(Bin, tool), ["--conf_file", config, .. arguments]).WithEnvironment("HOME", Home);
        return await command.RunAsync(CancellationToken.None, allowFailure: true);
    }

    /// <summary>cps-tools that must succeed; returns its stdout.</summary>
    public async Task<string> CpsToolsOkAsync(params string[] arguments)
    {
        var result = await CpsToolsAsync(arguments);
        if (!result.Succeeded) throw new InvalidOperationException($"cps-tools {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>An HTTPS client trusting this director's CA, presenting <paramref name="certificate"/> if given.</summary>
    public HttpClient Client(X509Certificate2? certificate = null) =>
        TlsClient.Create(Ca, certificate, checkHostName: true, timeout: TimeSpan.FromSeconds(60));

    public X509Certificate2 Ca => X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Directory, "certs", "ca_cert.pem")));

    /// <summary>The director's own CA, loaded from its state the way only someone with the key file could.</summary>
    public CertificateAuthority Authority => CertificateAuthority.LoadOrCreate(Path.Combine(Directory, "certs"), "sandbox");

    public static X509Certificate2 Usable(string certificatePem, string keyPem) => TlsClient.FromPem(certificatePem, keyPem);

    /// <summary>A certificate for <paramref name="identity"/> from the director's CA.</summary>
    public X509Certificate2 Certificate(CertificateIdentity identity)
    {
        var (certificate, key) = Authority.IssueWithKey(identity);
        return Usable(certificate, key);
    }

    /// <summary>SIGKILLs every process of a node; how many there were.</summary>
    public int KillNode(string vmid) => NodeProcesses(vmid).Count(pid => Kill(pid, 9) == 0);

    /// <summary>
    /// The processes of a node (its programs' command lines name its directory). /proc may belong to an outer PID
    /// namespace (./build.sh runs the tests in one of their own), so each process's pid is taken from its NSpid line at
    /// this process's own depth, the number kill(2) understands here.
    /// </summary>
    /// <param name="program">Instead of the node's own programs, the servers of this name it started (their command
    /// lines name files in the node's directory).</param>
    public List<int> NodeProcesses(string vmid, string? program = null)
    {
        var marker = Path.Combine(Directory, "data", "nodes", vmid, program is null ? "node.cfg" : "");
        var depth = NsPids("/proc/self/status").Length;
        var found = new List<int>();
        foreach (var proc in System.IO.Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ').Contains(marker)) continue;
                if (program is not null && File.ReadAllText(Path.Combine(proc, "comm")).Trim() != program) continue;
                var pids = NsPids(Path.Combine(proc, "status"));
                if (pids.Length >= depth) found.Add(pids[depth - 1]);
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }
        return found;
    }

    private static int[] NsPids(string status) => File.ReadLines(status).First(l => l.StartsWith("NSpid:"))["NSpid:".Length..]
        .Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>The database through the sqlite3 command line tool, an oracle we did not write.</summary>
    public string Sql(string query) => HostTool.Run("sqlite3", DatabasePath, query).Trim();


    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _directory.Dispose();
    }
}
