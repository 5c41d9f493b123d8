using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;

namespace ConPaaS.Frontend.Sessions;

/// <summary>One request to the director, its failures turned into words for the page.</summary>
internal static class DirectorCall
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, Uri director, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new FrontendException($"the director at {director} is not reachable: {Innermost(e).Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FrontendException($"the director at {director} did not answer in time");
        }
    }

    public static async Task<JsonNode?> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonRpc.BodyAsync(response, cancellationToken);
        }
        catch (RpcException e)
        {
            throw new FrontendException(e.Message);
        }
        catch (InvalidDataException)
        {
            throw new FrontendException($"the director answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    public static async Task ThrowAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await BodyAsync(response, cancellationToken);
        throw new FrontendException($"the director answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
