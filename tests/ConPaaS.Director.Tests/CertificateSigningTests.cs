using System.Net;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>/ca/get_cert.php: managers get their agents' certificates by CSR; nobody else does.</summary>
public class CertificateSigningTests
{
    [Fact]
    public async Task A_manager_gets_an_agent_certificate_for_its_own_application_from_an_openssl_csr()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "signed");
        using var work = new TempDirectory();
        HostTool.Run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", work.File("agent.key"), "-out", work.File("agent.csr"), "-subj", "/CN=agent/UID=99/title=manager/OU=42");
        var csr = File.ReadAllBytes(work.File("agent.csr"));

        using var manager = sandbox.Client(sandbox.Certificate(new CertificateIdentity(1, Roles.Manager, 1, "manager")));
        using var form = new MultipartFormDataContent { { new ByteArrayContent(csr), "csr", "agent.csr" } };
        using var response = await manager.PostAsync(new Uri(sandbox.Url, "/ca/get_cert.php"), form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        File.WriteAllText(work.File("agent.pem"), await response.Content.ReadAsStringAsync());
        Assert.Contains("agent.pem: OK", HostTool.Run("openssl", "verify", "-CAfile", Path.Combine(sandbox.Directory, "certs", "ca_cert.pem"), work.File("agent.pem")));
        // The CSR asked for uid 99, role manager, application 42; it gets what its manager is entitled to.
        Assert.Equal(new CertificateIdentity(1, Roles.Agent, 1, "agent"), CertificateIdentity.FromCertificate(X509Certificate2.CreateFromPemFile(work.File("agent.pem"), work.File("agent.key"))));

        using var user = sandbox.Client(sandbox.Certificate(new CertificateIdentity(1, Roles.User, 0, "test")));
        using var userForm = new MultipartFormDataContent { { new ByteArrayContent(csr), "csr", "agent.csr" } };
        using var refused = await user.PostAsync(new Uri(sandbox.Url, "/ca/get_cert.php"), userForm);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
