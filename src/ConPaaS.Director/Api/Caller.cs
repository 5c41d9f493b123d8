using Microsoft.AspNetCore.Connections.Features;
using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Api;

/// <summary>
/// Who is calling, from the client certificate only (Kestrel has already checked it chains to our CA and is valid
/// now; a certificate that does not never gets past the TLS handshake).
/// </summary>
public static class Caller
{
    public static CertificateIdentity Identity(HttpContext context)
    {
        var certificate = context.Connection.ClientCertificate
            ?? throw RefusedException.Unauthenticated("this call needs a client certificate; run 'cps-tools user get_certificate'");
        // The certificate is fixed for the connection's life, so its identity is read once per connection.
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items?.TryGetValue(typeof(CertificateIdentity), out var known) == true && known is CertificateIdentity cached) return cached;
        try
        {
            var identity = CertificateIdentity.FromCertificate(certificate);
            if (items is not null) items[typeof(CertificateIdentity)] = identity;
            return identity;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw RefusedException.Forbidden(e.Message);
        }
    }

    public static CertificateIdentity User(HttpContext context) => WithRole(context, Roles.User);

    public static CertificateIdentity Manager(HttpContext context) => WithRole(context, Roles.Manager);

    private static CertificateIdentity WithRole(HttpContext context, string role)
    {
        var identity = Identity(context);
        return identity.Role == role ? identity
            : throw RefusedException.Forbidden($"this call needs a {role} certificate, not a {identity.Role} one");
    }
}
