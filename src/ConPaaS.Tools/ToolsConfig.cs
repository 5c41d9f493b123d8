using ConPaaS.Platform.Configuration;

namespace ConPaaS.Tools;

/// <summary>
/// Where the director is and who the user is: /etc/cps-tools.conf, then ~/.conpaas/cps-tools.conf over it (or the
/// file --conf_file names instead of the user's), section [cps-tools]: director_url, username, password.
/// Certificates live in ~/.conpaas/.
/// </summary>
public sealed record ToolsConfig(Uri DirectorUrl, string? Username, string? Password, string CertificateDirectory)
{
    public const string SystemFile = "/etc/cps-tools.conf";

    public static string UserDirectory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".conpaas");

    public static ToolsConfig Load(string? explicitFile)
    {
        if (explicitFile is not null && !File.Exists(explicitFile)) throw new CliException($"{explicitFile}: no such configuration file");
        var files = new[] { SystemFile, explicitFile ?? Path.Combine(UserDirectory, "cps-tools.conf") }.Where(File.Exists).ToList();
        string? url = null, username = null, password = null;
        foreach (var path in files)
        {
            IniFile file;
            try
            {
                file = IniFile.Load(path);
            }
            catch (InvalidDataException e)
            {
                throw new CliException(e.Message);
            }
            url = file.Get("cps-tools", "director_url") ?? url;
            username = file.Get("cps-tools", "username") ?? username;
            password = file.Get("cps-tools", "password") ?? password;
        }
        if (url is null)
            throw new CliException($"no director_url in [cps-tools] of {string.Join(" or ", files.DefaultIfEmpty($"{SystemFile} or {Path.Combine(UserDirectory, "cps-tools.conf")}"))}");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var director) || director.Scheme != "https")
            throw new CliException($"director_url '{url}' is not an https URL");
        return new ToolsConfig(director, username, password, UserDirectory);
    }

    public string CertificatePath => Path.Combine(CertificateDirectory, "cert.pem");
    public string KeyPath => Path.Combine(CertificateDirectory, "key.pem");
    public string CaPath => Path.Combine(CertificateDirectory, "ca_cert.pem");
}
