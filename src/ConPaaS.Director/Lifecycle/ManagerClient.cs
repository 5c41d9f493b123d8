using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Calls an application manager's JSON-RPC (service_id 0 is the application manager itself) over mutual TLS, as the
/// application's owner. The manager must present a manager certificate of that very application.
/// </summary>
public sealed class ManagerClient(DirectorCertificates certificates, DirectorSettings settings) : IDisposable
{
    // The director calls as each application's owner, so it keeps one set of clients per user.
    private readonly ConcurrentDictionary<long, NodeRpcClients> _byUser = new();

    public Task<JsonNode?> CallAsync(Application application, string method, JsonObject parameters, CancellationToken cancellationToken, long serviceId = 0) =>
        SendAsync(application, JsonRpc.Request(serviceId, method, parameters), cancellationToken);

    /// <summary>A multipart upload (a manifest with the files sent along).</summary>
    public Task<JsonNode?> UploadAsync(Application application, long serviceId, string method, IReadOnlyDictionary<string, string> fields,
        IEnumerable<UploadedFile> files, CancellationToken cancellationToken)
        => SendAsync(application, JsonRpc.Upload(serviceId, method, fields, files), cancellationToken);

    private Task<JsonNode?> SendAsync(Application application, HttpContent content, CancellationToken cancellationToken)
    {
        if (application.Manager is null || application.ManagerPort is null)
        {
            content.Dispose();
            throw new InvalidOperationException($"application {application.Aid} has no manager");
        }
        var clients = _byUser.GetOrAdd(application.Uid, uid => new NodeRpcClients(certificates.Authority.Certificate, certificates.ForwardingCertificate(uid), settings.NodeCallTimeout));
        return clients.SendAsync($"{application.Manager}:{application.ManagerPort}", new NodePeer(Roles.Manager, application.Uid, application.Aid), content, cancellationToken);
    }

    /// <summary>Forgets the clients for an application whose manager went away.</summary>
    public void Forget(long aid)
    {
        foreach (var clients in _byUser.Values) clients.Forget(aid);
    }

    public void Dispose()
    {
        foreach (var clients in _byUser.Values) clients.Dispose();
    }
}
