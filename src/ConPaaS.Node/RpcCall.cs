using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;

namespace ConPaaS.Node;

/// <summary>One JSON-RPC call: which service it addresses (0 = the application manager), the method, its parameters.</summary>
public sealed record RpcCall(long ServiceId, string Method, JsonObject Params, CertificateIdentity Caller)
{
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

/// <summary>A refusal the caller sees as <c>{"error": message}</c>.</summary>
public sealed class RpcException(string message) : Exception(message);
