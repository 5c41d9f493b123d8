using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConPaaS.Platform.Security;

/// <summary>
/// Who a certificate speaks for: the user id (UID), the role and the application id (ConPaaS's serviceLocator, 0 for
/// a user certificate). They live in the subject: <c>UID=7, title=user, OU=0, CN=name</c>. UID is the standard LDAP
/// userid attribute; the role goes in <c>title</c> and the application in <c>OU</c> so openssl shows all three by
/// name.
/// </summary>
public sealed record CertificateIdentity(long Uid, string Role, long ApplicationId, string Name)
{
    public const string UidOid = "0.9.2342.19200300.100.1.1";
    public const string RoleOid = "2.5.4.12";
    public const string ApplicationOid = "2.5.4.11";

    public X500DistinguishedName ToDistinguishedName()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("ConPaaS");
        builder.Add(ApplicationOid, ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture), UniversalTagNumber.UTF8String);
        builder.Add(RoleOid, Role, UniversalTagNumber.UTF8String);
        builder.Add(UidOid, Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), UniversalTagNumber.UTF8String);
        builder.AddCommonName(Name);
        return builder.Build();
    }

    /// <summary>Reads the identity from a certificate's subject; a subject without all three fields is refused.</summary>
    public static CertificateIdentity FromCertificate(X509Certificate2 certificate)
    {
        string? uid = null, role = null, application = null, name = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var value = rdn.GetSingleElementValue();
            switch (rdn.GetSingleElementType().Value)
            {
                case UidOid: uid = value; break;
                case RoleOid: role = value; break;
                case ApplicationOid: application = value; break;
                case "2.5.4.3": name = value; break;
            }
        }
        if (!long.TryParse(uid, out var uidValue) || uidValue < 0)
            throw new CryptographicException($"certificate '{certificate.Subject}' has no numeric UID");
        if (role is null || !Roles.All.Contains(role))
            throw new CryptographicException($"certificate '{certificate.Subject}' has no known role");
        if (!long.TryParse(application, out var applicationId) || applicationId < 0)
            throw new CryptographicException($"certificate '{certificate.Subject}' has no application id");
        return new CertificateIdentity(uidValue, role, applicationId, name ?? "");
    }
}
