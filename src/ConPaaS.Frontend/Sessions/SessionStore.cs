using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;

namespace ConPaaS.Frontend.Sessions;

/// <summary>
/// Logins and the sessions they open. A login asks the director for the user's certificates (/getcerts) with the
/// password the user typed, which is then forgotten; the session is a random token in a cookie.
/// </summary>
public sealed class SessionStore : IDisposable
{
    private readonly ConcurrentDictionary<string, UserSession> _sessions = new(StringComparer.Ordinal);
    private readonly FrontendSettings _settings;
    private readonly X509Certificate2 _ca;
    private readonly HttpClient _anonymous;
    private readonly Timer _sweeper;

    public SessionStore(FrontendSettings settings)
    {
        _settings = settings;
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(settings.CaPath));
        _anonymous = TlsClient.Create(_ca, null, checkHostName: true, timeout: TimeSpan.FromSeconds(30));
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public Uri DirectorUrl => _settings.DirectorUrl;

    /// <summary>Calls the director without a certificate (login, registration).</summary>
    public Task<HttpResponseMessage> PostAnonymousAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        DirectorCall.SendAsync(_anonymous, _settings.DirectorUrl, new HttpRequestMessage(HttpMethod.Post, new Uri(_settings.DirectorUrl, path)) { Content = new FormUrlEncodedContent(form) }, cancellationToken);

    /// <summary>Logs in: the director checks the password and sends certs.zip; the session holds its certificate.</summary>
    public async Task<string> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        using var response = await PostAnonymousAsync("/getcerts", [new("username", username), new("password", password)], cancellationToken);
        if (!response.IsSuccessStatusCode) await DirectorCall.ThrowAsync(response, cancellationToken);
        var zip = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        CertificateBundle bundle;
        X509Certificate2 certificate;
        try
        {
            bundle = CertificateBundle.Read(zip);
            certificate = TlsClient.FromPem(bundle.CertificatePem, bundle.KeyPem);
        }
        catch (Exception e) when (e is InvalidDataException or CryptographicException)
        {
            throw new FrontendException($"the director sent unusable certificates: {e.Message}");
        }
        if (!X509Certificate2.CreateFromPem(bundle.CaPem).RawData.AsSpan().SequenceEqual(_ca.RawData) || !CertificateAuthority.Validates(_ca, certificate))
            throw new FrontendException("the director sent certificates from another CA than the one this frontend trusts");
        var identity = CertificateIdentity.FromCertificate(certificate);
        var session = new UserSession(username, identity.Uid, zip,
            TlsClient.Create(_ca, certificate, checkHostName: true, timeout: TimeSpan.FromSeconds(120)),
            new NodeRpcClients(_ca, certificate, TimeSpan.FromSeconds(120)));
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _sessions[token] = session;
        return token;
    }

    public UserSession? Find(string? token)
    {
        if (token is null || !_sessions.TryGetValue(token, out var session)) return null;
        if (DateTimeOffset.UtcNow - session.LastSeen > FrontendSettings.SessionIdle)
        {
            End(token);
            return null;
        }
        session.Touch();
        return session;
    }

    public void End(string? token)
    {
        if (token is not null && _sessions.TryRemove(token, out var session)) session.Dispose();
    }

    private void Sweep()
    {
        foreach (var (token, session) in _sessions)
            if (DateTimeOffset.UtcNow - session.LastSeen > FrontendSettings.SessionIdle) End(token);
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var token in _sessions.Keys) End(token);
        _anonymous.Dispose();
    }
}
