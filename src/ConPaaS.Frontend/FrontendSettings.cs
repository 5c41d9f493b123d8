using ConPaaS.Platform.Configuration;

namespace ConPaaS.Frontend;

/// <summary>
/// main.ini (the seeds' /etc/cpsdirector/main.ini, written by 'cpsdirector frontend'): where the director is, the CA
/// its certificate must chain to, where to listen and with which certificate, and the upload limit.
/// </summary>
public sealed record FrontendSettings(Uri DirectorUrl, string CaPath, Uri Listen, string CertificatePath, string KeyPath, long MaxUploadBytes)
{
    public const string DefaultPath = "/etc/cpsdirector/main.ini";

    /// <summary>Idle sessions end after this; the user's certificate held for them is dropped with them.</summary>
    public static readonly TimeSpan SessionIdle = TimeSpan.FromMinutes(30);

    /// <summary>The largest request body taken: an upload at the limit plus the form's other fields.</summary>
    public long MaxRequestBytes => MaxUploadBytes + 64 * 1024;

    /// <summary>Manifests and SSH keys are text: a smaller bound than code archives.</summary>
    public const long MaxTextUploadBytes = 1024 * 1024;

    public static FrontendSettings Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such file (write it with 'cpsdirector frontend')");
        var ini = IniFile.Load(path);
        string Get(string section, string key) =>
            ini.Get(section, key) is { Length: > 0 } value ? value : throw new InvalidDataException($"{path}: [{section}] {key} is missing");
        Uri Url(string section, string key) =>
            Uri.TryCreate(Get(section, key), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps
                ? url : throw new InvalidDataException($"{path}: [{section}] {key} must be an https:// URL, not '{Get(section, key)}'");
        var megabytes = ini.Get("frontend", "MAX_UPLOAD_MB") is { } text
            ? int.TryParse(text, out var mb) && mb is > 0 and <= 4096 ? mb : throw new InvalidDataException($"{path}: [frontend] MAX_UPLOAD_MB must be 1-4096, not '{text}'")
            : 100;
        return new FrontendSettings(Url("conpaas", "DIRECTOR_URL"), Get("conpaas", "CA_CERT"), Url("frontend", "LISTEN"),
            Get("frontend", "CERT"), Get("frontend", "KEY"), megabytes * 1024L * 1024);
    }
}
