using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Tools;

/// <summary>
/// Calls to the director: form parameters in, JSON out, <c>{"error": ...}</c> turned into <see cref="CliException"/>.
/// Presents ~/.conpaas/cert.pem when present and trusts only ~/.conpaas/ca_cert.pem.
/// </summary>
public sealed class DirectorClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _debug;

    public ToolsConfig Config { get; }

    public DirectorClient(ToolsConfig config, bool debug)
    {
        Config = config;
        _debug = debug;
        var ca = File.Exists(config.CaPath) ? X509Certificate2.CreateFromPem(File.ReadAllText(config.CaPath)) : null;
        var own = File.Exists(config.CertificatePath) && File.Exists(config.KeyPath) ? TlsClient.LoadPem(config.CertificatePath, config.KeyPath) : null;
        if (ca is null && own is not null) throw new CliException($"{config.CaPath} is missing; run 'cps-tools user get_certificate' again");
        _http = TlsClient.Create(ca, own, checkHostName: true, seen: server => ServerCertificate = server, timeout: TimeSpan.FromSeconds(120));
    }

    /// <summary>The certificate the director presented on the last connection.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(Config.DirectorUrl, path)), cancellationToken);

    public Task<JsonNode?> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(Config.DirectorUrl, path)) { Content = new FormUrlEncodedContent(form) }, cancellationToken);

    public Task<JsonNode?> PostMultipartAsync(string path, MultipartFormDataContent form, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(Config.DirectorUrl, path)) { Content = form }, cancellationToken);

    public async Task<byte[]> PostForBytesAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(Config.DirectorUrl, path)) { Content = new FormUrlEncodedContent(form) }, cancellationToken);
        if (!response.IsSuccessStatusCode) await ThrowError(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private async Task<JsonNode?> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(request, cancellationToken);
        if (_debug) Console.Error.WriteLine($"DEBUG: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        try
        {
            return await JsonRpc.BodyAsync(response, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or InvalidDataException)
        {
            throw new CliException(e.Message);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_debug) Console.Error.WriteLine($"DEBUG: {request.Method} {request.RequestUri}");
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"no ConPaaS director at {Config.DirectorUrl}: {Innermost(e).Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the director at {Config.DirectorUrl} did not answer in time");
        }
    }

    private static async Task ThrowError(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await JsonRpc.BodyAsync(response, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or InvalidDataException)
        {
            throw new CliException(e.Message);
        }
        throw new CliException($"the director answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public void Dispose() => _http.Dispose();
}
