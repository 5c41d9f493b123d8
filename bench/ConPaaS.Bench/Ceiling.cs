using System.Net;
using System.Security.Authentication;
using ConPaaS.Platform.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ConPaaS.Bench;

/// <summary>
/// The ceiling: Kestrel with the director's TLS set-up (its certificate, client certificates checked against the same
/// CA) answering every request with a fixed JSON body. Whatever the director does beyond this is its own cost.
/// </summary>
internal static class Ceiling
{
    public static async Task<int> RunAsync(int port, string certificates)
    {
        var server = TlsClient.LoadPem(Path.Combine(certificates, "director_cert.pem"), Path.Combine(certificates, "director_key.pem"));
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certificates, "ca_cert.pem")));
        var body = await Console.In.ReadLineAsync() ?? "[]";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = server;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => CertificateAuthority.Validates(ca, certificate);
        })));
        var app = builder.Build();
        app.MapGet("/listapp", () => Results.Text(body, "application/json"));
        await app.RunAsync();
        return 0;
    }
}
