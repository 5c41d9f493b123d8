using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Calls an application manager's JSON-RPC (service_id 0 is the application manager itself) over mutual TLS, as the
/// application's owner. The manager must present a manager certificate of that very application.
/// </summary>
public sealed class ManagerClient(DirectorCertificates certificates) : IDisposable
{
    private readonly ConcurrentDictionary<(long Aid, string Address), HttpClient> _clients = new();

    public Task<JsonNode?> CallAsync(Application application, string method, object parameters, CancellationToken cancellationToken, long serviceId = 0) =>
        SendAsync(application, JsonRpc.Request(serviceId, method, parameters), cancellationToken);

    /// <summary>A multipart upload (a manifest with the files sent along).</summary>
    public Task<JsonNode?> UploadAsync(Application application, long serviceId, string method, IReadOnlyDictionary<string, string> fields,
        IEnumerable<UploadedFile> files, CancellationToken cancellationToken)
        => SendAsync(application, JsonRpc.Upload(serviceId, method, fields, files), cancellationToken);

    private async Task<JsonNode?> SendAsync(Application application, HttpContent content, CancellationToken cancellationToken)
    {
        if (application.Manager is null || application.ManagerPort is null)
            throw new InvalidOperationException($"application {application.Aid} has no manager");
        var address = $"{application.Manager}:{application.ManagerPort}";
        var client = _clients.GetOrAdd((application.Aid, address), key => TlsClient.Create(
            certificates.Authority.Certificate, certificates.ForwardingCertificate(application.Uid), checkHostName: false,
            timeout: TimeSpan.FromSeconds(30),
            acceptServer: server => server.Role == Roles.Manager && server.ApplicationId == key.Aid && server.Uid == application.Uid));
        using (content)
        {
            using var response = await client.PostAsync($"https://{address}/", content, cancellationToken);
            return await JsonRpc.ResultAsync(response, cancellationToken);
        }
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
