using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;

namespace ConPaaS.Platform.Rpc;

/// <summary>Who must answer at a node's address: a certificate of this role, user and application.</summary>
public sealed record NodePeer(string Role, long Uid, long ApplicationId);

/// <summary>
/// JSON-RPC over mutual TLS to managers and agents, the one way the director, cps-tools and the nodes call them. The
/// peer must present a certificate from the deployment's CA for the expected <see cref="NodePeer"/>. One HttpClient
/// per address and peer is kept for reuse (the certificates are loaded once, connections stay open).
/// </summary>
public sealed class NodeRpcClients(X509Certificate2 ca, X509Certificate2 own, TimeSpan timeout) : IDisposable
{
    private readonly ConcurrentDictionary<(string Address, NodePeer Peer), HttpClient> _clients = new();

    public Task<JsonNode?> CallAsync(string address, NodePeer peer, long serviceId, string method, JsonObject parameters, CancellationToken cancellationToken) =>
        SendAsync(address, peer, JsonRpc.Request(serviceId, method, parameters), cancellationToken);

    /// <summary>Sends a prepared request (a JSON-RPC body or an upload from <see cref="JsonRpc.Upload(long, string, IReadOnlyDictionary{string, string}, IEnumerable{UploadedFile})"/>) and disposes it.</summary>
    public async Task<JsonNode?> SendAsync(string address, NodePeer peer, HttpContent content, CancellationToken cancellationToken)
    {
        var client = _clients.GetOrAdd((address, peer), key => TlsClient.Create(ca, own, checkHostName: false, timeout: timeout,
            acceptServer: server => server.Role == key.Peer.Role && server.Uid == key.Peer.Uid && server.ApplicationId == key.Peer.ApplicationId));
        using (content)
        {
            using var response = await client.PostAsync($"https://{address}/", content, cancellationToken);
            return await JsonRpc.ResultAsync(response, cancellationToken);
        }
    }

    /// <summary>Drops the clients for an application whose nodes went away.</summary>
    public void Forget(long applicationId)
    {
        foreach (var key in _clients.Keys.Where(k => k.Peer.ApplicationId == applicationId).ToArray())
            if (_clients.TryRemove(key, out var client)) client.Dispose();
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
