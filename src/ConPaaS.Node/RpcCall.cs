using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Node;

/// <summary>One JSON-RPC call: which service it addresses (0 = the application manager), the method, its parameters.</summary>
public sealed record RpcCall(long ServiceId, string Method, JsonObject Params, CertificateIdentity Caller)
{
    /// <summary>Files of a multipart upload, by field name.</summary>
    public IReadOnlyDictionary<string, Microsoft.AspNetCore.Http.IFormFile> Files { get; init; } = new Dictionary<string, Microsoft.AspNetCore.Http.IFormFile>();

    public Microsoft.AspNetCore.Http.IFormFile File(string name) =>
        Files.TryGetValue(name, out var file) ? file : throw new RpcException($"missing uploaded file '{name}'");

    public long LongOr(string name, long fallback) => Params[name] is null ? fallback : Long(name);

    public string String(string name) =>
        Params[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new RpcException($"missing string parameter '{name}'");

    public string? OptionalString(string name) => Params[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public long Long(string name)
    {
        if (Params[name] is JsonValue value)
        {
            if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number)) return number;
            if (value.TryGetValue<string>(out var text) && long.TryParse(text, out number)) return number;
        }
        throw new RpcException($"missing numeric parameter '{name}'");
    }
}
