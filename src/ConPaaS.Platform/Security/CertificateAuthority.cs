using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConPaaS.Platform.Security;

/// <summary>
/// The director's certificate authority: an ECDSA P-256 root made on first start (ca_cert.pem, ca_key.pem mode 0600),
/// which issues user certificates with their keys, signs managers' and agents' CSRs, and checks every certificate a
/// caller presents. Signatures are ECDSA with SHA-256; the original's SHA-1 is not kept.
/// </summary>
public sealed class CertificateAuthority
{
    public const string CertificateFile = "ca_cert.pem";
    public const string KeyFile = "ca_key.pem";

    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);

    private readonly ECDsa _key;

    public X509Certificate2 Certificate { get; }

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key) => (Certificate, _key) = (certificate, key);

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Loads the CA from <paramref name="directory"/>, or makes one there if neither file exists.</summary>
    public static CertificateAuthority LoadOrCreate(string directory, string deploymentName)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (File.Exists(certificatePath) != File.Exists(keyPath))
            throw new InvalidDataException($"{directory}: one of {CertificateFile} and {KeyFile} is missing; restore it or remove both to make a new CA");
        if (File.Exists(certificatePath))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            return new CertificateAuthority(X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath)), key);
        }

        Directory.CreateDirectory(directory);
        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("ConPaaS");
        subject.AddCommonName($"ConPaaS CA {deploymentName}");
        var request = new CertificateRequest(subject.Build(), caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WritePrivate(keyPath, caKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        return new CertificateAuthority(certificate, caKey);
    }

    /// <summary>A certificate for <paramref name="identity"/> with a fresh key: (certificate PEM, key PEM).</summary>
    public (string Certificate, string Key) IssueWithKey(CertificateIdentity identity, IEnumerable<string>? serverNames = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(identity.ToDistinguishedName(), key, HashAlgorithmName.SHA256);
        var certificate = Sign(request, serverNames, DateTimeOffset.UtcNow.Add(LeafLifetime));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Signs a PEM CSR for <paramref name="identity"/>. Only the CSR's public key is used (after its self-signature
    /// is checked): the subject comes from the caller's authenticated identity, never from the request.
    /// </summary>
    public string SignRequest(string csrPem, CertificateIdentity identity)
    {
        CertificateRequest csr;
        try
        {
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"the CSR is not a valid PEM certificate request: {e.Message}");
        }
        RequireModernKey(csr.PublicKey);
        var request = new CertificateRequest(identity.ToDistinguishedName(), csr.PublicKey, HashAlgorithmName.SHA256);
        return Sign(request, null, DateTimeOffset.UtcNow.Add(LeafLifetime)).ExportCertificatePem();
    }

    /// <summary>Issues with explicit validity (tests use this to make an expired certificate).</summary>
    public (string Certificate, string Key) IssueWithKey(CertificateIdentity identity, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(identity.ToDistinguishedName(), key, HashAlgorithmName.SHA256);
        return (Sign(request, null, notAfter, notBefore).ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA and is valid now.</summary>
    public bool Validates(X509Certificate2 certificate) => Validates(Certificate, certificate);

    /// <summary>The check clients make against a CA certificate they hold (no private key needed).</summary>
    public static bool Validates(X509Certificate2 caCertificate, X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(caCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(caCertificate.RawDataMemory.Span);
    }

    private X509Certificate2 Sign(CertificateRequest request, IEnumerable<string>? serverNames, DateTimeOffset notAfter, DateTimeOffset? notBefore = null)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (serverNames is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in serverNames)
            {
                if (IPAddress.TryParse(name, out var address)) names.AddIpAddress(address);
                else names.AddDnsName(name);
            }
            request.CertificateExtensions.Add(names.Build());
        }
        var start = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), start, notAfter, serial);
    }

    private static void RequireModernKey(PublicKey key)
    {
        if (key.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
                if (ec.KeySize < 256) throw new InvalidDataException($"the CSR's EC key has {ec.KeySize} bits; at least 256 are required");
            return;
        }
        if (key.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
                if (rsa.KeySize < 2048) throw new InvalidDataException($"the CSR's RSA key has {rsa.KeySize} bits; at least 2048 are required");
            return;
        }
        throw new InvalidDataException("the CSR's key is neither EC nor RSA");
    }

    /// <summary>Writes a secret readable by its owner only, created with that mode so it is never briefly world-readable.</summary>
    public static void WritePrivate(string path, string text) =>
        ConPaaS.Common.AtomicFile.WriteAllText(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite);
}
