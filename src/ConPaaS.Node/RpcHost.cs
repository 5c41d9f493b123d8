using ConPaaS.Platform.Rpc;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ConPaaS.Node;

/// <summary>
/// The JSON-RPC endpoint of a manager or an agent. TLS requires a client certificate from the deployment's CA;
/// <paramref name="authorize"/> then decides whether that identity may call this node at all (the manager's and the
/// agents' rules differ). GET takes method, id, service_id and params (JSON) from the query; POST a JSON body
/// <c>{service_id, method, params, id}</c>. Answers are <c>{"result": ..., "error": null, "id": ...}</c> or
/// <c>{"error": "...", "id": ...}</c>. Results are JSON nodes, so no reflection is needed (the agent is compiled ahead of time).
/// </summary>
public sealed class RpcHost(NodeContext context, Func<CertificateIdentity, bool> authorize, Func<RpcCall, CancellationToken, Task<JsonNode?>> dispatch)
{
    public const long MaxBodyBytes = 64L << 20;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public WebApplication Build()
    {
        var certificates = context.CertificateDirectory;
        var own = TlsClient.LoadPem(Path.Combine(certificates, "cert.pem"), Path.Combine(certificates, "key.pem"));
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certificates, "ca_cert.pem")));

        var app = HttpsHost.Create([context.Listen], _ => own, ClientCertificateMode.RequireCertificate,
            (_, certificate) => CertificateAuthority.Validates(ca, certificate), MaxBodyBytes).Build();
        app.UseErrorBodies();
        app.MapMethods("/", ["GET", "POST"], HandleAsync);
        return app;
    }

    private async Task HandleAsync(HttpContext http)
    {
        JsonNode? id = null;
        try
        {
            var identity = CertificateIdentity.FromCertificate(http.Connection.ClientCertificate!);
            if (!authorize(identity))
            {
                await Answer(http, StatusCodes.Status403Forbidden, new JsonObject { ["error"] = $"a {identity.Role} certificate of user {identity.Uid}, application {identity.ApplicationId} may not call this node", ["id"] = null });
                return;
            }
            RpcCall call;
            try
            {
                (call, id) = await ReadAsync(http, identity);
            }
            catch (Exception e) when (e is not (OperationCanceledException or BadHttpRequestException) && !http.RequestAborted.IsCancellationRequested)
            {
                // Whatever a request that cannot be read throws (JSON that is not UTF-8, a multipart body cut short)
                // is the caller's error, with the reason.
                throw new RpcException($"the request cannot be read: {e.Message}");
            }
            var result = await dispatch(call, http.RequestAborted);
            await Answer(http, StatusCodes.Status200OK, new JsonObject
            {
                ["result"] = result, ["error"] = null, ["id"] = id?.DeepClone(),
            });
        }
        catch (BadHttpRequestException e)
        {
            await Answer(http, e.StatusCode, new JsonObject { ["error"] = e.Message, ["id"] = id?.DeepClone() });
        }
        catch (Exception e) when (e is RpcException or JsonException or InvalidDataException or System.Security.Cryptography.CryptographicException)
        {
            await Answer(http, StatusCodes.Status400BadRequest, new JsonObject { ["error"] = e.Message, ["id"] = id?.DeepClone() });
        }
        catch (HttpRequestException e) when (!http.Response.HasStarted)
        {
            // A node this call needed (an agent, the director) did not answer: the address is in the message.
            await Answer(http, StatusCodes.Status502BadGateway, new JsonObject { ["error"] = $"a node this call needs does not answer: {e.Message}", ["id"] = id?.DeepClone() });
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            // Our own bug: said as such, with the reason in the node's log, never an empty 500.
            Console.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {http.Request.Method} failed: {e}");
            await Answer(http, StatusCodes.Status500InternalServerError, new JsonObject { ["error"] = "internal error; see the node's log", ["id"] = id?.DeepClone() });
        }
    }

    private static async Task<(RpcCall, JsonNode?)> ReadAsync(HttpContext http, CertificateIdentity identity)
    {
        if (HttpMethods.IsGet(http.Request.Method))
        {
            var query = http.Request.Query;
            var parameters = query["params"].ToString() is { Length: > 0 } text ? JsonNode.Parse(text) as JsonObject : new JsonObject();
            return (new RpcCall(long.TryParse(query["service_id"], out var sid) ? sid : 0, query["method"].ToString() is { Length: > 0 } m ? m : throw new RpcException("missing 'method'"),
                parameters ?? throw new RpcException("'params' must be a JSON object"), identity), JsonValue.Create(query["id"].ToString()));
        }
        if (http.Request.HasFormContentType)
        {
            // Uploads: the fields are the parameters (method and service_id among them), the files ride along.
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var parameters = new JsonObject();
            foreach (var (key, value) in form)
                if (key is not ("method" or "service_id")) parameters[key] = value.ToString();
            var files = form.Files.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First());
            return (new RpcCall(long.TryParse(form["service_id"], out var sid) ? sid : 0,
                form["method"].ToString() is { Length: > 0 } m ? m : throw new RpcException("missing 'method'"), parameters, identity) { Files = files }, null);
        }
        // Decoded strictly first: invalid UTF-8 would otherwise parse, and fail later wherever a string is read.
        using var reader = new StreamReader(http.Request.Body, StrictUtf8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync(http.RequestAborted)) as JsonObject
                   ?? throw new RpcException("the request body must be a JSON object");
        var method = body["method"] is JsonValue mv && mv.TryGetValue<string>(out var name) ? name : throw new RpcException("missing 'method'");
        var service = body["service_id"] is JsonValue sv && (sv.TryGetValue<long>(out var number) || (sv.TryGetValue<string>(out var s) && long.TryParse(s, out number))) ? number : 0;
        var p = body["params"] switch { null => new JsonObject(), JsonObject o => o, _ => throw new RpcException("'params' must be a JSON object") };
        return (new RpcCall(service, method, (JsonObject)p.DeepClone(), identity), body["id"]);
    }

    // Written as text, not through the serializer: no reflection, so the agent compiles ahead of time.
    private static Task Answer(HttpContext http, int status, JsonObject body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }
}
