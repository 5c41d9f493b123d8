using System.Globalization;
using System.Net;
using ConPaaS.Platform.Configuration;

namespace ConPaaS.Director;

/// <summary>
/// director.cfg (the ConPaaS sections and keys) with environment overrides: <c>CPSDIRECTOR_&lt;SECTION&gt;_&lt;KEY&gt;</c>,
/// e.g. <c>CPSDIRECTOR_DIRECTOR_DATABASE_URI</c>. The file itself is /etc/cpsdirector/director.cfg unless
/// <c>DIRECTOR_CFG</c> or --config names another. Every value is checked here, once, with the key in the message.
/// </summary>
public sealed class DirectorSettings
{
    public const string DefaultConfigPath = "/etc/cpsdirector/director.cfg";

    public required IniFile File { get; init; }
    public required string ConfDir { get; init; }
    public required string CertDir { get; init; }
    public required string DeploymentName { get; init; }
    public required int MaxCredit { get; init; }
    public required string DatabasePath { get; init; }
    public required string UserDataDir { get; init; }
    public required Uri DirectorUrl { get; init; }
    /// <summary>[director] LISTEN: where the director listens, one or more address:port separated by commas
    /// (DIRECTOR_URL's host and port by default).</summary>
    public required IReadOnlyList<IPEndPoint> Listen { get; init; }
    public required bool Debug { get; init; }
    public required string Driver { get; init; }
    public required IReadOnlyList<string> OtherClouds { get; init; }
    /// <summary>Length of the credit period in seconds: one credit per node per period (3600, one node-hour).</summary>
    public required int CreditPeriodSeconds { get; init; }
    public required long MaxRequestBytes { get; init; }

    /// <summary>[director] OPEN_REGISTRATION: anyone may register (/new_user); the sandbox turns it on.</summary>
    public bool OpenRegistration => File.Get("director", "OPEN_REGISTRATION")?.ToLowerInvariant() is "true" or "yes" or "1";
    /// <summary>Loopback network the local driver gives its nodes addresses from.</summary>
    public required (IPAddress Network, int PrefixLength) LocalSubnet { get; init; }
    /// <summary>Where the local driver finds cpsmanager and cpsagent (default: next to cpsdirector).</summary>
    public required string LocalBinDir { get; init; }

    /// <summary>[iaas] LOCAL_UID_BASE: application N's nodes run as uid LOCAL_UID_BASE + N when the director is root.
    /// The default, 0x70000000, is above the ranges systemd hands out to users, services and containers.</summary>
    public required uint LocalUidBase { get; init; }

    /// <summary>The libvirt driver's settings, when [iaas] DRIVER = libvirt.</summary>
    public Cloud.LibvirtSettings? Libvirt { get; init; }

    /// <summary>
    /// [iaas] NODE_START_TIMEOUT: how long a node may take from its start to answering (a manager, the director's
    /// wait; an agent, its manager's, told through the node's context). 60 s by default; a Pi's containers, which run
    /// the x86-64 node programs under emulation, get longer in the backend's director.cfg.
    /// </summary>
    public TimeSpan NodeStartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// [iaas] NODE_CALL_TIMEOUT: how long one call to an application manager may take. 30 s by default; a Pi's
    /// emulated manager answers its first calls slowly (code compiled as it runs, under emulation), so the backend's
    /// director.cfg gives it longer.
    /// </summary>
    public TimeSpan NodeCallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Clouds => ["default", .. OtherClouds];

    public static string ResolvePath(string? explicitPath) =>
        explicitPath ?? Environment.GetEnvironmentVariable("DIRECTOR_CFG") ?? DefaultConfigPath;

    /// <summary>Loads the configuration; a missing file gives the defaults (a fresh sandbox starts that way).</summary>
    public static DirectorSettings Load(string path)
    {
        var file = System.IO.File.Exists(path) ? IniFile.Load(path) : IniFile.Empty(path);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (!name.StartsWith("CPSDIRECTOR_", StringComparison.Ordinal)) continue;
            var rest = name["CPSDIRECTOR_".Length..];
            var split = rest.IndexOf('_');
            if (split <= 0) continue;
            file.Set(rest[..split].ToLowerInvariant(), rest[(split + 1)..], (string?)variable.Value ?? "");
        }
        return From(file);
    }

    public static DirectorSettings From(IniFile file)
    {
        string Get(string section, string key, string fallback) => file.Get(section, key) is { Length: > 0 } value ? value : fallback;
        int Integer(string section, string key, int fallback, int min, int max)
        {
            var text = Get(section, key, fallback.ToString(CultureInfo.InvariantCulture));
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw new InvalidDataException($"{file.Source}: [{section}] {key} = '{text}' is not a whole number from {min} to {max}");
            return value;
        }

        var confDir = Get("conpaas", "CONF_DIR", "/etc/cpsdirector");
        var urlText = Get("director", "DIRECTOR_URL", "https://127.0.0.1:5555");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme != "https")
            throw new InvalidDataException($"{file.Source}: [director] DIRECTOR_URL = '{urlText}' is not an https URL");
        var listenText = Get("director", "LISTEN", $"{(IPAddress.TryParse(url.Host, out var hostAddress) ? hostAddress : IPAddress.Any)}:{url.Port}");
        var listen = new List<IPEndPoint>();
        foreach (var one in listenText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            listen.Add(IPEndPoint.TryParse(one, out var endpoint)
                ? endpoint
                : throw new InvalidDataException($"{file.Source}: [director] LISTEN = '{listenText}': '{one}' is not an address:port"));
        if (listen.Count == 0) throw new InvalidDataException($"{file.Source}: [director] LISTEN names no address:port");
        var subnetText = Get("iaas", "LOCAL_SUBNET", "127.77.0.0/16");
        var subnet = subnetText.Split('/');
        if (subnet.Length != 2 || !IPAddress.TryParse(subnet[0], out var network) || !int.TryParse(subnet[1], out var prefix)
            || network.GetAddressBytes()[0] != 127 || prefix < 8 || prefix > 30)
            throw new InvalidDataException($"{file.Source}: [iaas] LOCAL_SUBNET = '{subnetText}' must be a loopback network such as 127.77.0.0/16");
        var driver = Get("iaas", "DRIVER", "local").ToLowerInvariant();
        if (driver is not ("local" or "libvirt"))
            throw new InvalidDataException($"{file.Source}: [iaas] DRIVER = '{driver}' is not a driver this director has: 'local' or 'libvirt'");
        var clouds = Get("iaas", "OTHER_CLOUDS", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var cloud in clouds)
            if (!file.HasSection(cloud))
                throw new InvalidDataException($"{file.Source}: [iaas] OTHER_CLOUDS names '{cloud}' but there is no [{cloud}] section");

        return new DirectorSettings
        {
            File = file,
            ConfDir = confDir,
            CertDir = Get("conpaas", "CERT_DIR", Path.Combine(confDir, "certs")),
            DeploymentName = Get("conpaas", "DEPLOYMENT_NAME", "conpaas"),
            MaxCredit = Integer("conpaas", "MAX_CREDIT", 50, 0, 1_000_000),
            DatabasePath = DatabasePathFrom(Get("director", "DATABASE_URI", $"sqlite:///{Path.Combine(confDir, "director.db")}"), file.Source),
            UserDataDir = Get("director", "USERDATA_DIR", Path.Combine(confDir, "data")),
            DirectorUrl = url,
            Listen = listen,
            Debug = Get("director", "DEBUG", "false").ToLowerInvariant() is "true" or "yes" or "1",
            Driver = driver,
            OtherClouds = clouds,
            CreditPeriodSeconds = Integer("director", "CREDIT_PERIOD", 3600, 1, 86400),
            MaxRequestBytes = Integer("director", "MAX_REQUEST_BYTES", 4 << 20, 1024, 1 << 30),
            LocalSubnet = (network, prefix),
            LocalBinDir = Get("iaas", "LOCAL_BIN_DIR", AppContext.BaseDirectory),
            LocalUidBase = (uint)Integer("iaas", "LOCAL_UID_BASE", 0x70000000, 1000, 0x7F000000),
            Libvirt = driver == "libvirt" ? Cloud.LibvirtSettings.From(file) : null,
            NodeStartTimeout = TimeSpan.FromSeconds(Integer("iaas", "NODE_START_TIMEOUT", 60, 10, 3600)),
            NodeCallTimeout = TimeSpan.FromSeconds(Integer("iaas", "NODE_CALL_TIMEOUT", 30, 5, 3600)),
        };
    }

    /// <summary>SQLAlchemy's form (<c>sqlite:////abs/path</c>, <c>sqlite:///relative</c>) or a plain path.</summary>
    private static string DatabasePathFrom(string uri, string source)
    {
        if (!uri.Contains("://")) return uri;
        if (!uri.StartsWith("sqlite:///", StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: [director] DATABASE_URI = '{uri}': only sqlite:/// databases are supported");
        var path = uri["sqlite:///".Length..];
        return path.Length == 0 ? throw new InvalidDataException($"{source}: [director] DATABASE_URI names no file") : path;
    }
}
