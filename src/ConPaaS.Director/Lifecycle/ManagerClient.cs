using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Calls an application manager's JSON-RPC (service_id 0 is the application manager itself) over mutual TLS, as the
/// application's owner. The manager must present a manager certificate of that very application.
/// </summary>
public sealed class ManagerClient(DirectorCertificates certificates) : IDisposable
{
    private readonly ConcurrentDictionary<(long Aid, string Address), HttpClient> _clients = new();

    public async Task<JsonNode?> CallAsync(Application application, string method, object parameters, CancellationToken cancellationToken, long serviceId = 0)
    {
        if (application.Manager is null || application.ManagerPort is null)
            throw new InvalidOperationException($"application {application.Aid} has no manager");
        var address = $"{application.Manager}:{application.ManagerPort}";
        var client = _clients.GetOrAdd((application.Aid, address), key => TlsClient.Create(
            certificates.Authority.Certificate, certificates.ForwardingCertificate(application.Uid), checkHostName: false,
            timeout: TimeSpan.FromSeconds(30),
            acceptServer: server => server.Role == Roles.Manager && server.ApplicationId == key.Aid && server.Uid == application.Uid));
        var request = new { service_id = serviceId, method, @params = parameters, id = 1 };
        using var response = await client.PostAsJsonAsync($"https://{address}/", request, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken)
                   ?? throw new InvalidDataException($"the manager of application {application.Aid} sent an empty answer to {method}");
        if (body["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String)
            throw new ManagerException(error.GetValue<string>());
        return body["result"];
    }

    /// <summary>Forgets the clients for an application whose manager went away.</summary>
    public void Forget(long aid)
    {
        foreach (var key in _clients.Keys.Where(k => k.Aid == aid).ToArray())
            if (_clients.TryRemove(key, out var client)) client.Dispose();
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}

/// <summary>An error the manager reported in its JSON-RPC answer.</summary>
public sealed class ManagerException(string message) : Exception(message);
