using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Node;

/// <summary>
/// How a node talks to others with its own certificate: the director (form posts, JSON answers) and other nodes
/// (JSON-RPC). Servers must chain to the deployment's CA; nodes must also be of the expected role and application.
/// </summary>
public sealed class NodeClients : IDisposable
{
    private readonly NodeContext _context;
    private readonly X509Certificate2 _own;
    private readonly HttpClient _director;
    private readonly NodeRpcClients _nodes;

    public X509Certificate2 Ca { get; }

    public NodeClients(NodeContext context)
    {
        _context = context;
        _own = TlsClient.LoadPem(Path.Combine(context.CertificateDirectory, "cert.pem"), Path.Combine(context.CertificateDirectory, "key.pem"));
        Ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(context.CertificateDirectory, "ca_cert.pem")));
        _director = TlsClient.Create(Ca, _own, checkHostName: true, timeout: TimeSpan.FromMinutes(5));
        _nodes = new NodeRpcClients(Ca, _own, TimeSpan.FromMinutes(5));
    }

    /// <summary>POSTs a form to the director; its <c>{"error": ...}</c> becomes an <see cref="RpcException"/>.</summary>
    public async Task<JsonNode?> DirectorAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var response = await _director.PostAsync(new Uri(_context.DirectorUrl, path), new FormUrlEncodedContent(form), cancellationToken);
        try
        {
            return await JsonRpc.BodyAsync(response, cancellationToken);
        }
        catch (RpcException e)
        {
            throw new RpcException($"director: {e.Message}");
        }
    }

    /// <summary>Calls a JSON-RPC method on the node at <paramref name="address"/>, which must hold a certificate of
    /// <paramref name="role"/> for this application.</summary>
    public Task<JsonNode?> CallAsync(string address, string role, string method, JsonObject parameters, CancellationToken cancellationToken, HttpContent? upload = null) =>
        _nodes.SendAsync(address, new NodePeer(role, _context.UserId, _context.AppId), upload ?? JsonRpc.Request(0, method, parameters), cancellationToken);

    public void Dispose()
    {
        _director.Dispose();
        _nodes.Dispose();
    }
}
