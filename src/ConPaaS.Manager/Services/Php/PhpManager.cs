using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Manager.Services.Web;
using ConPaaS.Node;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services.Php;

/// <summary>
/// php: a web service whose backends run php-fpm. Sessions live in a memcached on the first agent, so any backend
/// serves any session; <c>set_debug</c> shows PHP errors in pages (on every backend, also those added later).
/// </summary>
public sealed class PhpManager(ServiceContext context) : WebManager(ServiceTypes.Php, context, DefaultCode)
{
    [ModuleInitializer]
    internal static void Register() => ServiceManagers.Register(ServiceTypes.Php, c => new PhpManager(c));

    /// <summary>What a new php service serves before any upload.</summary>
    private static readonly IReadOnlyDictionary<string, string> DefaultCode = new Dictionary<string, string>
    {
        ["index.php"] = """
            <?php
            echo "<!DOCTYPE html><title>ConPaaS PHP</title><h1>Welcome to ConPaaS</h1>";
            echo "<p>This PHP service is running. Upload your application as a code version and enable it.</p>";
            echo "<p>Served by the backend at " . htmlspecialchars($_SERVER['SERVER_ADDR']) . ", PHP " . PHP_VERSION . ".</p>";

            """,
    };

    private bool _debug;

    protected override async Task<object?> WebDispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "set_debug" => await SetDebugAsync(call.Params["debug"]?.GetValue<bool>() == true, cancellationToken),
        _ => null,
    };

    protected override async Task NodeAddedAsync(AgentNode node, CancellationToken cancellationToken)
    {
        if (_debug) await AgentAsync(node, "set_debug", new JsonObject { ["debug"] = true }, cancellationToken);
    }

    /// <summary>debug on|off: PHP errors shown in pages or only logged, on every backend (and on backends added later).</summary>
    private async Task<object> SetDebugAsync(bool debug, CancellationToken cancellationToken)
    {
        _debug = debug;
        if (State == LifecycleState.Running)
            await Task.WhenAll(Nodes.Select(n => AgentAsync(n, "set_debug", new JsonObject { ["debug"] = debug }, cancellationToken)));
        Log.Write($"service {Id}: debug {(debug ? "on" : "off")}");
        return new { debug };
    }
}
