using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConPaaS.Platform.Rpc;

/// <summary>
/// The client side of ConPaaS's JSON-RPC, used by the director, the manager and cps-tools alike: requests
/// <c>{service_id, method, params, id}</c> (uploads as multipart with method and service_id fields), answers
/// <c>{"result": ...}</c> or <c>{"error": "..."}</c>, the latter thrown as <see cref="RpcException"/>.
/// </summary>
public static class JsonRpc
{
    /// <summary>A call's body. Parameters are a JSON object built by the caller, not an object serialized by
    /// reflection, so that cps-tools compiles ahead of time.</summary>
    public static HttpContent Request(long serviceId, string method, JsonObject parameters) =>
        new StringContent(new JsonObject { ["service_id"] = serviceId, ["method"] = method, ["params"] = parameters, ["id"] = 1 }.ToJsonString(),
            System.Text.Encoding.UTF8, "application/json");

    public static MultipartFormDataContent Upload(long serviceId, string method, IReadOnlyDictionary<string, string> fields, string field, string fileName, HttpContent file) =>
        Upload(serviceId, method, fields, [new UploadedFile(field, fileName, file)]);

    /// <summary>An upload of several files (a manifest's archives and scripts), each under its own field.</summary>
    public static MultipartFormDataContent Upload(long serviceId, string method, IReadOnlyDictionary<string, string> fields, IEnumerable<UploadedFile> files)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(method), "method" },
            { new StringContent(serviceId.ToString(CultureInfo.InvariantCulture)), "service_id" },
        };
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        foreach (var file in files) form.Add(file.Content, file.Field, file.FileName);
        return form;
    }

    /// <summary>The JSON-RPC answer's result; its error as <see cref="RpcException"/>.</summary>
    public static async Task<JsonNode?> ResultAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await BodyAsync(response, cancellationToken) is JsonObject answer ? answer["result"] : null;

    /// <summary>
    /// The whole answer (the director's calls answer plain JSON); <c>{"error": ...}</c> or a failure status as
    /// <see cref="RpcException"/>; anything that is not JSON as InvalidDataException.
    /// </summary>
    public static async Task<JsonNode?> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} with something that is not JSON");
        }
        if (body is JsonObject o && o["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String)
            throw new RpcException(error.GetValue<string>());
        if (!response.IsSuccessStatusCode) throw new RpcException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        return body;
    }
}

/// <summary>A file in a multipart upload: its form field, its name, its bytes.</summary>
public sealed record UploadedFile(string Field, string FileName, HttpContent Content);

/// <summary>A call refused, by this node (its answer's error) or by the node it called.</summary>
public sealed class RpcException(string message) : Exception(message);
