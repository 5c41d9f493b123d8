using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Admin;

/// <summary>
/// cpsdirector frontend: what cpsfrontend needs to serve, made by the one program that holds the CA: a server
/// certificate from this deployment's CA (the director's names and the frontend's own host) and main.ini, the
/// frontend's configuration (the seeds' /etc/cpsdirector/main.ini). The frontend itself never sees the CA's key.
/// </summary>
public static class FrontendSetup
{
    public const string CertificateFile = "frontend_cert.pem";
    public const string KeyFile = "frontend_key.pem";
    public const int DefaultMaxUploadMegabytes = 100;

    /// <param name="readFrom">Where main.ini tells the frontend to read the CA, its certificate and its key: CERT_DIR
    /// by default; the Nutshell hands them to an unprivileged frontend as systemd credentials instead.</param>
    public static string Write(DirectorSettings settings, Uri listen, string configPath, string? readFrom = null)
    {
        if (listen.Scheme != Uri.UriSchemeHttps) throw new InvalidDataException($"the frontend listens on https, not '{listen}'");
        var authority = CertificateAuthority.LoadOrCreate(settings.CertDir, settings.DeploymentName);
        string[] names = [.. DirectorCertificates.ServerNames(settings), .. listen.Host is "0.0.0.0" or "[::]" ? Array.Empty<string>() : [listen.Host]];
        var (certificate, key) = authority.IssueWithKey(new CertificateIdentity(0, Roles.Frontend, 0, listen.Host), names.Distinct(StringComparer.OrdinalIgnoreCase));
        var certificatePath = Path.Combine(settings.CertDir, CertificateFile);
        var keyPath = Path.Combine(settings.CertDir, KeyFile);
        CertificateAuthority.WritePrivate(keyPath, key);
        File.WriteAllText(certificatePath, certificate);
        readFrom ??= settings.CertDir;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
        File.WriteAllText(configPath, $"""
            # cpsfrontend's configuration, written by 'cpsdirector frontend'.
            [conpaas]
            DIRECTOR_URL = {settings.DirectorUrl}
            CA_CERT = {Path.Combine(readFrom, CertificateAuthority.CertificateFile)}

            [frontend]
            LISTEN = {listen}
            CERT = {Path.Combine(readFrom, CertificateFile)}
            KEY = {Path.Combine(readFrom, KeyFile)}
            MAX_UPLOAD_MB = {DefaultMaxUploadMegabytes}

            """);
        return configPath;
    }
}
