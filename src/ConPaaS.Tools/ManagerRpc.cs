using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools;

/// <summary>
/// JSON-RPC to an application manager, straight from the client as ConPaaS does for everything service-specific.
/// The manager must present a manager certificate of that application from our CA.
/// </summary>
public static class ManagerRpc
{
    public static Task<JsonNode?> CallAsync(Session session, JsonObject application, long serviceId, string method, JsonObject parameters, CancellationToken cancellationToken) =>
        SendAsync(session, application, JsonRpc.Request(serviceId, method, parameters), cancellationToken);

    /// <summary>An upload: multipart with method, service_id and the other fields, and the file as <paramref name="field"/>.</summary>
    public static async Task<JsonNode?> UploadAsync(Session session, JsonObject application, long serviceId, string method,
        IReadOnlyDictionary<string, string> fields, string field, string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file");
        await using var file = File.OpenRead(path);
        using var content = JsonRpc.Upload(serviceId, method, fields, field, Path.GetFileName(path), new StreamContent(file));
        return await SendAsync(session, application, content, cancellationToken);
    }

    // Certificates are read once per run, and one connection per manager is kept for the run's later calls
    // (list_nodes asks once per node).
    private static (NodeRpcClients Clients, long Uid)? _own;

    private static (NodeRpcClients Clients, long Uid) Own(ToolsConfig config)
    {
        if (_own is { } known) return known;
        if (!File.Exists(config.CertificatePath)) throw new CliException("no certificate; run 'cps-tools user get_certificate'");
        var certificate = TlsClient.LoadPem(config.CertificatePath, config.KeyPath);
        var clients = new NodeRpcClients(X509Certificate2.CreateFromPem(File.ReadAllText(config.CaPath)), certificate, TimeSpan.FromSeconds(300));
        _own = (clients, CertificateIdentity.FromCertificate(certificate).Uid);
        return _own.Value;
    }

    private static async Task<JsonNode?> SendAsync(Session session, JsonObject application, HttpContent content, CancellationToken cancellationToken)
    {
        var aid = application["aid"]!.GetValue<long>();
        if (Output.Cell(application["status"]) != LifecycleState.Running || application["manager"] is null)
            throw new CliException($"application {aid} is {Output.Cell(application["status"])}; start it first");
        var address = $"{Output.Cell(application["manager"])}:{application["manager_port"]?.GetValue<long>() ?? 443}";
        var (clients, uid) = Own(session.Director.Config);
        try
        {
            return await clients.SendAsync(address, new NodePeer(Roles.Manager, uid, aid), content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"the manager of application {aid} at {address} is not reachable: {e.Message}");
        }
        catch (RpcException e)
        {
            throw new CliException(e.Message);
        }
    }
}
