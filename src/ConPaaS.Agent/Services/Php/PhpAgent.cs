using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Common;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Php;

/// <summary>
/// The php agent runs the servers of its roles as its own contained children, bound to its own address: nginx for
/// every role (proxy, web, backend), php-fpm for a backend, memcached for the service's sessions on the agent the
/// manager names. <c>update_code</c> unpacks a version beside the others and switches to it in one rename;
/// <c>configure</c> rewrites the servers' files and reloads them gracefully (requests in flight finish).
/// </summary>
public sealed class PhpAgent(AgentFiles files, NodeContext context) : AgentService(files, context)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Php, (files, context) => new PhpAgent(files, context));

    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromSeconds(20);
    private const int KeptVersions = 2;

    private readonly PhpLayout _layout = new(files.Root);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BackgroundProcess? _nginx, _phpFpm, _memcached;
    private bool _debug;
    private JsonObject? _configuration;

    private string Ip => Context.Listen.Address.ToString();

    public override async Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "update_code" => await Serialized(() => UpdateCodeAsync(call.String("code_version"), call.File("code"), cancellationToken)),
        "configure" => await Serialized(() => ConfigureAsync(call.Params, cancellationToken)),
        "set_debug" => await Serialized(() => SetDebugAsync(call.Params["debug"]?.GetValue<bool>() == true, cancellationToken)),
        _ => null,
    };

    private async Task<JsonNode?> Serialized(Func<Task<JsonNode?>> work)
    {
        await _gate.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Unpacks the version beside the one served (archives are hostile: SafeArchive), then points
    /// <c>current</c> at it in one rename, and keeps the previous version for requests still reading it.</summary>
    private async Task<JsonNode?> UpdateCodeAsync(string version, IFormFile upload, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_layout.Versions);
        var target = Path.Combine(_layout.Versions, $"{version}-{Guid.NewGuid():N}");
        var incoming = target + ".archive";
        try
        {
            await using (var output = File.Create(incoming))
                await upload.CopyToAsync(output, cancellationToken);
            SafeArchive.Extract(incoming, target);
        }
        catch
        {
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(incoming);
        }
        // World-readable for the servers' workers (www-data when the agent is root).
        foreach (var path in Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Append(target))
            if (!File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead | UnixFileMode.GroupRead
                    | (Directory.Exists(path) ? UnixFileMode.OtherExecute | UnixFileMode.GroupExecute : 0));
        SymbolicLink.Replace(_layout.Current, Path.GetFileName(target));
        foreach (var old in Directory.GetDirectories(_layout.Versions).Select(d => new DirectoryInfo(d))
                     .Where(d => d.LinkTarget is null).OrderByDescending(d => d.CreationTimeUtc).Skip(KeptVersions))
            old.Delete(recursive: true);
        AgentLog.Write(Files, $"php: code version {version} served from {Path.GetFileName(target)}");
        return true;
    }

    /// <summary>The service's layout from the manager: this agent's roles, the backends and web servers, and where the
    /// sessions live. Starts what is missing, reloads what runs, stops what the roles no longer need.</summary>
    private async Task<JsonNode?> ConfigureAsync(JsonObject parameters, CancellationToken cancellationToken)
    {
        _configuration = (JsonObject)parameters.DeepClone();
        await ApplyAsync(cancellationToken);
        var roles = Roles(_configuration);
        return new JsonObject { ["url"] = roles.Contains("proxy") ? $"http://{Ip}:{PhpLayout.ProxyPort}/" : null };
    }

    private async Task<JsonNode?> SetDebugAsync(bool debug, CancellationToken cancellationToken)
    {
        _debug = debug;
        if (_configuration is not null) await ApplyAsync(cancellationToken);
        return true;
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var configuration = _configuration!;
        var roles = Roles(configuration);
        var backends = Strings(configuration["backends"]);
        var webs = Strings(configuration["webs"]);
        var sessions = configuration["sessions"]?.ToString() ?? throw new RpcException("configure needs 'sessions', the memcached's address");
        if (roles.Count == 0) throw new RpcException("configure needs 'roles'");
        if (roles.Contains("proxy") && (backends.Count == 0 || webs.Count == 0)) throw new RpcException("a proxy needs backends and web servers");
        Directory.CreateDirectory(_layout.Run);
        Directory.CreateDirectory(_layout.Temporary);
        Directory.CreateDirectory(_layout.Logs);
        if (!Path.Exists(_layout.Current)) throw new RpcException("no code version on this agent yet (update_code first)");

        if (sessions == Ip && _memcached is null)
        {
            string[] user = Environment.IsPrivilegedProcess ? ["-u", "nobody"] : [];
            _memcached = Start("memcached", [.. user, "-l", Ip, "-p", PhpLayout.Port(PhpLayout.SessionsPort), "-U", "0", "-m", "64"], "memcached.log");
            await WaitForAsync(() => Listening(PhpLayout.SessionsPort), "memcached", _memcached, cancellationToken);
        }

        if (roles.Contains("backend"))
        {
            AtomicFile.WriteAllText(_layout.PhpFpmConfig, PhpConfigs.PhpFpm(_layout, sessions, _debug));
            if (_phpFpm is null || _phpFpm.Exited.IsCompleted)
            {
                _phpFpm = Start(PhpFpmProgram(), ["-F", "-y", _layout.PhpFpmConfig, "-p", _layout.Home], "php-fpm.out");
                await WaitForAsync(() => File.Exists(_layout.PhpFpmSocket), "php-fpm", _phpFpm, cancellationToken);
            }
            else if (!ProcessSignal.Send(_phpFpm, ProcessSignal.User2))
                throw new RpcException("php-fpm could not be told to reload");
        }
        else if (_phpFpm is not null)
        {
            await _phpFpm.KillAsync();
            _phpFpm = null;
        }

        AtomicFile.WriteAllText(_layout.NginxConfig, PhpConfigs.Nginx(_layout, Ip, roles, backends, webs));
        if (_nginx is null || _nginx.Exited.IsCompleted)
        {
            File.Delete(_layout.NginxPid);
            _nginx = Start("nginx", ["-p", _layout.Home, "-e", Path.Combine(_layout.Logs, "nginx-error.log"), "-c", _layout.NginxConfig, "-g", "daemon off;"], "nginx.out");
            await WaitForAsync(() => File.Exists(_layout.NginxPid), "nginx", _nginx, cancellationToken);
        }
        else if (!ProcessSignal.Send(_nginx, ProcessSignal.Hangup))
            throw new RpcException("nginx could not be told to reload");
        AgentLog.Write(Files, $"php: serving as {string.Join(",", roles)} (backends {string.Join(" ", backends)}; web servers {string.Join(" ", webs)}; sessions at {sessions})");
    }

    private BackgroundProcess Start(string program, string[] arguments, string log) =>
        BackgroundProcess.Start(new Command(program, arguments).Contained(), Path.Combine(_layout.Logs, log));

    private static async Task WaitForAsync(Func<bool> ready, string name, BackgroundProcess process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ServerStartTimeout;
        var delay = new PollingDelay();
        while (!ready())
        {
            if (process.Exited.IsCompleted) throw new RpcException($"{name} exited at start (code {await process.Exited}); see its log on the agent");
            if (DateTime.UtcNow > deadline) throw new RpcException($"{name} did not start within {ServerStartTimeout.TotalSeconds:0} s");
            await delay.WaitAsync(cancellationToken);
        }
    }

    private bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(Context.Listen.Address, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Debian names php-fpm after its PHP version (php-fpm8.2 in bookworm).</summary>
    private static string PhpFpmProgram() =>
        Directory.EnumerateFiles("/usr/sbin", "php-fpm*").Order(StringComparer.Ordinal).LastOrDefault()
        ?? throw new RpcException("php-fpm is not installed on this node (Debian's php-fpm package)");

    private static IReadOnlyList<string> Roles(JsonObject configuration) =>
        (configuration["roles"]?.ToString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static IReadOnlyList<string> Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => n?.ToString() ?? "").Where(s => s.Length > 0)];
}
