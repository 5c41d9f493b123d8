using ConPaaS.Builder;
using ConPaaS.Builder.Stages;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The offline developer sandbox: the published director in the foreground at https://127.0.0.1:5555 and the web
/// frontend at https://127.0.0.1:8443 (another port when that one is taken; the director prints it), with every piece
/// of state in out/sandbox/ (configuration, SQLite, CA, node directories). Ctrl-C stops it, the frontend and the nodes.
/// </summary>
internal static class SandboxTarget
{
    public const int Port = 5555;

    /// <summary>The web frontend's port, unless something else holds it.</summary>
    public const int FrontendPort = 8443;

    /// <summary>
    /// What the director, managers and agents run at run time (volumes, contained scripts, git-push deployment). The
    /// platform's programs check for them themselves; they are declared here so that ./build.sh installs them.
    /// </summary>
    public static IReadOnlyList<HostTool> PlatformTools =>
        [CustomizeStage.Mke2fs, BuildContext.Setpriv, BuildContext.Git with { Optional = false }, new("sshd", "openssh-server"), new("ssh-keygen", "openssh-client"),
         // NodeConfinement: each application's nodes in a mount namespace of their own.
         new("unshare", "util-linux"), new("mount", "mount"),
         // php's agents: nginx for every role, php-fpm for backends, memcached for the sessions (the PHP extension is
         // found by its configuration file, having no program of its own).
         new("nginx", "nginx-light"), new("php-fpm8.2", "php-fpm"), new("memcached", "memcached"),
         new("/etc/php/8.2/mods-available/memcached.ini", "php-memcached"),
         // PHP's MySQL drivers (mysqli, PDO), which applications on a mysql service use (WordPress does).
         new("/etc/php/8.2/mods-available/mysqli.ini", "php-mysql"),
         // java's backends: Debian's Tomcat 10 (its jars and default web.xml) on Java 17.
         new("java", "default-jre-headless"), new("/usr/share/tomcat10/etc/web.xml", "tomcat10"),
         // mysql's agents: MariaDB with Galera (state transfer by rsync), HAProxy for the glb.
         new("mariadbd", "mariadb-server"), new("/usr/lib/galera/libgalera_smm.so", "galera-4"), new("rsync", "rsync"), new("haproxy", "haproxy")];

    public static IReadOnlyList<HostTool> HostTools => [.. BuildContext.Tools, .. PlatformTools];

    public static async Task RunAsync(BuildContext context)
    {
        var state = Path.Combine(context.Out, "sandbox");
        BuildContext.Log($"  cps-tools is {Path.Combine(context.Bin, "cps-tools")} (add {context.Bin} to PATH for the cps-<object> aliases)");
        var frontend = ConPaaS.Common.LoopbackPort.Preferring(FrontendPort);
        await context.RunAsync(ToolsTarget.Published(context, "cpsdirector", "sandbox", state, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--frontend-port", frontend.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
