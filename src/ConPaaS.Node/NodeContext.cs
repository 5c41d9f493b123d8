using System.Net;
using ConPaaS.Platform.Configuration;

namespace ConPaaS.Node;

/// <summary>
/// The node's contextualization, the INI file the director's cloud driver writes (ConPaaS's config.cfg): who this
/// node is, where it listens, where the director is, and where its certificates are. ROOT (optional) is the
/// directory agents treat as their root file system: / on a VM, the node's own directory by default (local driver).
/// GIT_PORT (optional, 22 by default) is where a manager serves its application's git repository over SSH.
/// STATE_DIR (optional; the node's directory by default) is where a manager keeps what must outlive it: the
/// cloud driver gives every manager of one application the same directory, so code versions, the git repository, its
/// keys and volume records survive a stop and start or a crashed manager. START_TIMEOUT (optional, seconds, 60 by
/// default) is how long a manager waits for an agent it started to answer: the director's [iaas] NODE_START_TIMEOUT.
/// </summary>
public sealed record NodeContext(string Role, string Vmid, IPEndPoint Listen, long UserId, long AppId, long ServiceId,
    string ServiceType, string Cloud, Uri DirectorUrl, string CertificateDirectory, string StateDirectory, string Root)
{
    public int GitPort { get; init; } = 22;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static NodeContext Load(string path)
    {
        var file = IniFile.Load(path);
        string Get(string key) => file.Get("node", key) is { Length: > 0 } value ? value : throw new InvalidDataException($"{path}: [node] {key} is missing");
        long Number(string key) => long.TryParse(Get(key), out var value) && value >= 0 ? value : throw new InvalidDataException($"{path}: [node] {key} must be a whole number");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!IPAddress.TryParse(Get("IP"), out var address)) throw new InvalidDataException($"{path}: [node] IP is not an address");
        if (!Uri.TryCreate(Get("DIRECTOR_URL"), UriKind.Absolute, out var director)) throw new InvalidDataException($"{path}: [node] DIRECTOR_URL is not a URL");
        return new NodeContext(Get("ROLE"), Get("VMID"), new IPEndPoint(address, (int)Number("PORT")), Number("USER_ID"), Number("APP_ID"),
            Number("SERVICE_ID"), Get("SERVICE_TYPE"), Get("CLOUD"), director, Path.Combine(directory, Get("CERT_DIR")),
            file.Get("node", "STATE_DIR") is { Length: > 0 } state ? state : directory,
            file.Get("node", "ROOT") is { Length: > 0 } root ? root : directory)
        {
            GitPort = file.Get("node", "GIT_PORT") is { Length: > 0 } git ? (int.TryParse(git, out var port) && port is > 0 and < 65536 ? port : throw new InvalidDataException($"{path}: [node] GIT_PORT must be a port number")) : 22,
            StartTimeout = file.Get("node", "START_TIMEOUT") is { Length: > 0 } timeout
                ? (int.TryParse(timeout, out var seconds) && seconds is >= 10 and <= 3600 ? TimeSpan.FromSeconds(seconds) : throw new InvalidDataException($"{path}: [node] START_TIMEOUT must be a number of seconds from 10 to 3600"))
                : TimeSpan.FromSeconds(60),
        };
    }
}
