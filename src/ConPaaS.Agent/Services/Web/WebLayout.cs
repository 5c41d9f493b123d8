using System.Globalization;

namespace ConPaaS.Agent.Services.Web;

/// <summary>
/// Where a web agent (php, java) keeps its servers' files (below the agent's root, so the local driver's agents never
/// meet) and the ports they use: the proxy on 80 when the agent runs as root (a container, a VM), otherwise 8080 (the
/// local driver's agents are unprivileged); web servers on 8081, backends on 8082 (php's nginx, java's Tomcat), php's
/// sessions' memcached on 11211.
/// </summary>
public sealed class WebLayout(AgentFiles files, string type)
{
    public const int WebPort = 8081;
    public const int BackendPort = 8082;
    public const int SessionsPort = 11211;

    public static int ProxyPort => Environment.IsPrivilegedProcess ? 80 : 8080;

    public string Home { get; } = Path.Combine(files.Root, "var", "lib", "cpsagent", type);
    public string Versions => Path.Combine(Home, "www");
    /// <summary>A link to the version being served, swapped in one rename.</summary>
    public string Current => Path.Combine(Versions, "current");
    public string Run => Path.Combine(Home, "run");
    public string Temporary => Path.Combine(Home, "tmp");
    public string Logs => files.LogDirectory;
    public string NginxConfig => Path.Combine(Home, "nginx.conf");
    public string NginxPid => Path.Combine(Run, "nginx.pid");

    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
