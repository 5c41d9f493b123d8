using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ConPaaS.Platform.Security;

/// <summary>
/// HTTP clients for talking to ConPaaS endpoints: the server must chain to the deployment's CA (not to the system's
/// roots), and the caller presents its own certificate when it has one.
/// </summary>
public static class TlsClient
{
    /// <summary>
    /// A client trusting only <paramref name="ca"/>. With <paramref name="checkHostName"/> the server's certificate
    /// must also name the host (the director's does); managers and agents are checked by CA and role instead.
    /// A null CA accepts any server once, and <paramref name="seen"/> receives its certificate so the caller can
    /// check it against the CA it is about to receive (cps-tools' first contact, before it holds ca_cert.pem).
    /// <paramref name="acceptServer"/> checks who the server is (a manager of the right application, say).
    /// </summary>
    public static HttpClient Create(X509Certificate2? ca, X509Certificate2? clientCertificate, bool checkHostName,
        Action<X509Certificate2>? seen = null, TimeSpan? timeout = null, Func<CertificateIdentity, bool>? acceptServer = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                // The runtime's own chain for the server is built against the deployment's CA alone, not the system's
                // roots (our callback checks the CA again). The system store is still read once per process, for the
                // client certificate's chain, which .NET builds with no way to say otherwise.
                CertificateChainPolicy = ca is null ? null : new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null) return false;
                    var server = new X509Certificate2(certificate);
                    seen?.Invoke(server);
                    if (ca is null) return true;
                    if (checkHostName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
                    if (!CertificateAuthority.Validates(ca, server)) return false;
                    if (acceptServer is null) return true;
                    try
                    {
                        return acceptServer(CertificateIdentity.FromCertificate(server));
                    }
                    catch (System.Security.Cryptography.CryptographicException)
                    {
                        return false;
                    }
                },
            },
        };
        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(100) };
    }

    /// <summary>Loads a certificate and its private key from PEM files, ready to present in a TLS handshake.</summary>
    public static X509Certificate2 LoadPem(string certificatePath, string keyPath) =>
        FromPem(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));

    /// <summary>A certificate and its private key from PEM text, ready to present in a TLS handshake.</summary>
    public static X509Certificate2 FromPem(string certificatePem, string keyPem)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        // Re-import as PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
