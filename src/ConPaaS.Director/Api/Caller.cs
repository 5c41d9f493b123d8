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
            ?? throw ApiException.Unauthorized("this call needs a client certificate; run 'cps-tools user get_certificate'");
        try
        {
            return CertificateIdentity.FromCertificate(certificate);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw ApiException.Forbidden(e.Message);
        }
    }

    public static CertificateIdentity User(HttpContext context) => WithRole(context, Roles.User);

    public static CertificateIdentity Manager(HttpContext context) => WithRole(context, Roles.Manager);

    private static CertificateIdentity WithRole(HttpContext context, string role)
    {
        var identity = Identity(context);
        return identity.Role == role ? identity
            : throw ApiException.Forbidden($"this call needs a {role} certificate, not a {identity.Role} one");
    }
}
