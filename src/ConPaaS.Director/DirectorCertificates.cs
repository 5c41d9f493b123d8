using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director;

/// <summary>
/// The CA (CERT_DIR/ca_cert.pem, ca_key.pem), the director's own HTTPS certificate, and the user certificates the
/// director presents when it forwards a user's call to that user's application manager (the manager then checks the
/// same UID rule it checks for the user, and needs no extra trust in the director).
/// </summary>
public sealed class DirectorCertificates
{
    public const string ServerCertificateFile = "director_cert.pem";
    public const string ServerKeyFile = "director_key.pem";

    private readonly ConcurrentDictionary<long, X509Certificate2> _forwarding = new();

    public CertificateAuthority Authority { get; }

    public X509Certificate2 Server { get; }

    public DirectorCertificates(DirectorSettings settings, ILogger<DirectorCertificates> logger)
    {
        Authority = CertificateAuthority.LoadOrCreate(settings.CertDir, settings.DeploymentName);
        Server = LoadOrIssueServer(settings, Authority, logger);
    }

    /// <summary>The names the director's certificate must carry: DIRECTOR_URL's host, the machine's own name, and
    /// loopback for local tools and forwarded ports.</summary>
    public static IReadOnlyList<string> ServerNames(DirectorSettings settings) =>
        new[] { settings.DirectorUrl.Host, Environment.MachineName, "localhost", "127.0.0.1" }.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Whether the certificate names DIRECTOR_URL's host (cpsconf.py's job was keeping this true).</summary>
    public static bool NamesHost(X509Certificate2 certificate, string host) =>
        certificate.MatchesHostname(host, allowWildcards: true, allowCommonName: false);

    private static X509Certificate2 LoadOrIssueServer(DirectorSettings settings, CertificateAuthority authority, ILogger logger)
    {
        var certificatePath = Path.Combine(settings.CertDir, ServerCertificateFile);
        var keyPath = Path.Combine(settings.CertDir, ServerKeyFile);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var existing = TlsClient.LoadPem(certificatePath, keyPath);
            if (NamesHost(existing, settings.DirectorUrl.Host) && authority.Validates(existing)
                && existing.NotAfter > DateTime.Now.AddDays(7))
                return existing;
            logger.LogWarning("the director certificate does not fit DIRECTOR_URL {Url} (or expires soon); issuing a new one", settings.DirectorUrl);
        }
        var (certificate, key) = authority.IssueWithKey(new CertificateIdentity(0, Roles.Director, 0, settings.DirectorUrl.Host), ServerNames(settings));
        CertificateAuthority.WritePrivate(keyPath, key);
        File.WriteAllText(certificatePath, certificate);
        return TlsClient.LoadPem(certificatePath, keyPath);
    }

    /// <summary>A user certificate for <paramref name="uid"/> (valid a year, like every leaf the CA issues), made once
    /// per director run and kept only in memory.</summary>
    public X509Certificate2 ForwardingCertificate(long uid) => _forwarding.GetOrAdd(uid, id =>
    {
        var (certificate, key) = Authority.IssueWithKey(new CertificateIdentity(id, Roles.User, 0, "director"));
        return TlsClient.FromPem(certificate, key);
    });
}
