using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;

namespace ConPaaS.Platform.Tests;

/// <summary>Our CA judged by openssl: chains verify, subjects read back, CSRs made by openssl get signed.</summary>
public class CertificateAuthorityTests
{
    [Fact]
    public void Issued_user_certificate_verifies_with_openssl_and_carries_uid_role_and_application()
    {
        using var directory = new TempDirectory();
        var ca = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        var (certificate, key) = ca.IssueWithKey(new CertificateIdentity(7, Roles.User, 0, "alice"));
        File.WriteAllText(directory.File("cert.pem"), certificate);
        File.WriteAllText(directory.File("key.pem"), key);

        Assert.Contains("cert.pem: OK", HostTool.Run("openssl", "verify", "-CAfile", directory.File("ca_cert.pem"), directory.File("cert.pem")));
        var subject = HostTool.Run("openssl", "x509", "-in", directory.File("cert.pem"), "-noout", "-subject", "-nameopt", "oneline");
        Assert.Contains("UID = 7", subject);
        Assert.Contains("title = user", subject);
        Assert.Contains("OU = 0", subject);
        var text = HostTool.Run("openssl", "x509", "-in", directory.File("cert.pem"), "-noout", "-text");
        Assert.Contains("ecdsa-with-SHA256", text);
        Assert.DoesNotContain("sha1", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(
            HostTool.Run("openssl", "pkey", "-in", directory.File("key.pem"), "-pubout"),
            HostTool.Run("openssl", "x509", "-in", directory.File("cert.pem"), "-pubkey", "-noout"));
        Assert.Equal(new CertificateIdentity(7, Roles.User, 0, "alice"), CertificateIdentity.FromCertificate(X509Certificate2.CreateFromPem(certificate)));
    }

    [Fact]
    public void The_ca_survives_a_restart_and_its_key_is_private()
    {
        using var directory = new TempDirectory();
        var first = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        var second = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(directory.File("ca_key.pem")));
        var (certificate, _) = second.IssueWithKey(new CertificateIdentity(1, Roles.Agent, 3, "x"));
        Assert.True(first.Validates(X509Certificate2.CreateFromPem(certificate)));
    }

    [Fact]
    public void An_openssl_csr_is_signed_with_the_callers_identity_not_the_subject_it_asks_for()
    {
        using var directory = new TempDirectory();
        var ca = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        HostTool.Run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", directory.File("agent.key"), "-out", directory.File("agent.csr"), "-subj", "/CN=evil/UID=0/title=manager/OU=99");
        var signed = ca.SignRequest(File.ReadAllText(directory.File("agent.csr")), new CertificateIdentity(5, Roles.Agent, 2, "agent"));
        File.WriteAllText(directory.File("agent.pem"), signed);
        Assert.Contains("agent.pem: OK", HostTool.Run("openssl", "verify", "-CAfile", directory.File("ca_cert.pem"), directory.File("agent.pem")));
        Assert.Equal(new CertificateIdentity(5, Roles.Agent, 2, "agent"), CertificateIdentity.FromCertificate(X509Certificate2.CreateFromPem(signed)));
    }

    [Fact]
    public void Weak_and_malformed_csrs_are_refused()
    {
        using var directory = new TempDirectory();
        var ca = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        HostTool.Run("openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", directory.File("weak.key"),
            "-out", directory.File("weak.csr"), "-subj", "/CN=weak");
        var weak = Assert.Throws<InvalidDataException>(() => ca.SignRequest(File.ReadAllText(directory.File("weak.csr")), new CertificateIdentity(1, Roles.Agent, 1, "a")));
        Assert.Contains("1024 bits", weak.Message);
        Assert.Throws<InvalidDataException>(() => ca.SignRequest("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", new CertificateIdentity(1, Roles.Agent, 1, "a")));
    }

    [Fact]
    public void Certificates_from_another_ca_or_expired_do_not_validate()
    {
        using var directory = new TempDirectory();
        using var other = new TempDirectory();
        var ca = CertificateAuthority.LoadOrCreate(directory.Path, "test");
        var foreign = CertificateAuthority.LoadOrCreate(other.Path, "test");
        var (fromOther, _) = foreign.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "a"));
        var (expired, _) = ca.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "a"), DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        Assert.False(ca.Validates(X509Certificate2.CreateFromPem(fromOther)));
        Assert.False(ca.Validates(X509Certificate2.CreateFromPem(expired)));
    }

    [Fact]
    public void A_subject_without_role_or_uid_is_not_an_identity()
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=plain", key, HashAlgorithmName.SHA256);
        using var plain = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        Assert.Throws<CryptographicException>(() => CertificateIdentity.FromCertificate(plain));
    }
}
