using System.Globalization;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;

namespace ConPaaS.Frontend.Sessions;

/// <summary>
/// What a page asks on the user's behalf, exactly as cps-tools asks it: the director's API with the user's
/// certificate, and the application's manager over JSON-RPC (mutual TLS, the manager's certificate checked for this
/// user and application). Every failure is a <see cref="FrontendException"/> in words.
/// </summary>
public sealed class UserClient(UserSession session, Uri director)
{
    public UserSession Session => session;

    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await DirectorCall.SendAsync(session.Director, director, new HttpRequestMessage(HttpMethod.Get, new Uri(director, path)), cancellationToken);
        return await DirectorCall.BodyAsync(response, cancellationToken);
    }

    public async Task<JsonNode?> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var response = await DirectorCall.SendAsync(session.Director, director, new HttpRequestMessage(HttpMethod.Post, new Uri(director, path)) { Content = new FormUrlEncodedContent(form) }, cancellationToken);
        return await DirectorCall.BodyAsync(response, cancellationToken);
    }

    public async Task<JsonNode?> PostMultipartAsync(string path, MultipartFormDataContent form, CancellationToken cancellationToken)
    {
        using var response = await DirectorCall.SendAsync(session.Director, director, new HttpRequestMessage(HttpMethod.Post, new Uri(director, path)) { Content = form }, cancellationToken);
        return await DirectorCall.BodyAsync(response, cancellationToken);
    }

    /// <summary>A download (a manifest): the bytes, or the director's error in words.</summary>
    public async Task<byte[]> GetBytesAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await DirectorCall.SendAsync(session.Director, director, new HttpRequestMessage(HttpMethod.Get, new Uri(director, path)), cancellationToken);
        if (!response.IsSuccessStatusCode) await DirectorCall.ThrowAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>The user's credit as the page shows it; "?" when the director cannot say (the page still renders).</summary>
    public async Task<string> CreditAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Text(await GetAsync("/user_credit", cancellationToken));
        }
        catch (FrontendException)
        {
            return "?";
        }
    }

    public async Task<IReadOnlyList<JsonObject>> ApplicationsAsync(CancellationToken cancellationToken) =>
        [.. ((await GetAsync("/listapp", cancellationToken)) as JsonArray ?? []).OfType<JsonObject>()];

    /// <summary>One of the user's applications; another user's is "not found", as the director answers it.</summary>
    public async Task<JsonObject> ApplicationAsync(long aid, CancellationToken cancellationToken) =>
        (await ApplicationsAsync(cancellationToken)).FirstOrDefault(a => Long(a["aid"]) == aid)
        ?? throw new FrontendException($"application {aid} does not exist");

    /// <summary>The application's services as the director lists them: sid, type, name, state.</summary>
    public async Task<IReadOnlyList<JsonObject>> ServicesAsync(long aid, CancellationToken cancellationToken) =>
        [.. ((await GetAsync($"/list/{aid}", cancellationToken)) as JsonArray ?? []).Select(row => row?["service"]).OfType<JsonObject>()];

    public async Task<JsonObject> ServiceAsync(long aid, long sid, CancellationToken cancellationToken) =>
        (await ServicesAsync(aid, cancellationToken)).FirstOrDefault(s => Long(s["sid"]) == sid)
        ?? throw new FrontendException($"application {aid} has no service {sid}");

    public Task<JsonNode?> ManagerAsync(JsonObject application, long serviceId, string method, JsonObject? parameters, CancellationToken cancellationToken) =>
        SendToManagerAsync(application, JsonRpc.Request(serviceId, method, parameters ?? []), cancellationToken);

    public async Task<JsonNode?> ManagerUploadAsync(JsonObject application, long serviceId, string method, IReadOnlyDictionary<string, string> fields,
        string field, string fileName, Stream file, CancellationToken cancellationToken) =>
        await SendToManagerAsync(application, JsonRpc.Upload(serviceId, method, fields, field, fileName, new StreamContent(file)), cancellationToken);

    private async Task<JsonNode?> SendToManagerAsync(JsonObject application, HttpContent content, CancellationToken cancellationToken)
    {
        var aid = Long(application["aid"]);
        if (Text(application["status"]) != LifecycleState.Running || application["manager"] is null)
        {
            content.Dispose();
            throw new FrontendException($"application {aid} is {Text(application["status"])}; start it first");
        }
        var address = $"{Text(application["manager"])}:{(application["manager_port"] is { } port ? Long(port) : 443)}";
        try
        {
            return await session.Nodes.SendAsync(address, new NodePeer(Roles.Manager, session.Uid, aid), content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new FrontendException($"the manager of application {aid} at {address} is not reachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FrontendException($"the manager of application {aid} at {address} did not answer in time");
        }
        catch (Exception e) when (e is RpcException or InvalidDataException)
        {
            throw new FrontendException(e.Message);
        }
    }

    public static long Long(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.Number ? node.GetValue<long>()
        : long.TryParse(node?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>A JSON value as the page shows it: strings as they are, nothing as empty.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
