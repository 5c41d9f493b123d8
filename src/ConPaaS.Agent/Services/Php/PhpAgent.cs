using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Agent.Services.Web;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Php;

/// <summary>
/// The php agent: a web agent whose backend is php-fpm (behind the agent's nginx), plus memcached for the service's
/// sessions on the agent the manager names, and <c>set_debug</c> (PHP errors in pages or only in the log).
/// </summary>
public sealed class PhpAgent(AgentFiles files, NodeContext context) : WebAgent(files, context, ServiceTypes.Php.Name)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Php, (files, context) => new PhpAgent(files, context));

    private PhpConfigs.PhpPaths Paths => new(Layout);
    private BackgroundProcess? _phpFpm, _memcached;
    private bool _debug;

    protected override Task<JsonNode?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "set_debug" => SerializedAsync(() => SetDebugAsync(call.Params["debug"]?.GetValue<bool>() == true, cancellationToken)),
        _ => Task.FromResult<JsonNode?>(null),
    };

    private async Task<JsonNode?> SetDebugAsync(bool debug, CancellationToken cancellationToken)
    {
        _debug = debug;
        if (Configuration is not null) await ApplyAsync(cancellationToken);
        return true;
    }

    protected override string NginxBackendServer() => PhpConfigs.BackendServer(Paths, Ip);

    protected override async Task ApplyBackendAsync(bool backend, JsonObject configuration, CancellationToken cancellationToken)
    {
        var sessions = configuration["sessions"]?.ToString() ?? throw new RpcException("configure needs 'sessions', the memcached's address");
        if (sessions == Ip && _memcached is null)
        {
            string[] user = Environment.IsPrivilegedProcess ? ["-u", "nobody"] : [];
            _memcached = Start("memcached", [.. user, "-l", Ip, "-p", WebLayout.Port(WebLayout.SessionsPort), "-U", "0", "-m", "64"], "memcached.log");
            await WaitForAsync(() => Listening(WebLayout.SessionsPort), "memcached", _memcached, cancellationToken);
        }

        if (backend)
        {
            Common.AtomicFile.WriteAllText(Paths.PhpFpmConfig, PhpConfigs.PhpFpm(Paths, sessions, _debug));
            if (_phpFpm is null || _phpFpm.Exited.IsCompleted)
            {
                _phpFpm = Start(PhpFpmProgram(), ["-F", "-y", Paths.PhpFpmConfig, "-p", Layout.Home], "php-fpm.out");
                await WaitForAsync(() => File.Exists(Paths.PhpFpmSocket), "php-fpm", _phpFpm, cancellationToken);
            }
            else if (!ProcessSignal.Send(_phpFpm, ProcessSignal.User2))
                throw new RpcException("php-fpm could not be told to reload");
        }
        else if (_phpFpm is not null)
        {
            await _phpFpm.KillAsync();
            _phpFpm = null;
        }
    }

    /// <summary>Debian names php-fpm after its PHP version (php-fpm8.2 in bookworm).</summary>
    private static string PhpFpmProgram() =>
        Directory.EnumerateFiles("/usr/sbin", "php-fpm*").Order(StringComparer.Ordinal).LastOrDefault()
        ?? throw new RpcException("php-fpm is not installed on this node (Debian's php-fpm package)");
}
