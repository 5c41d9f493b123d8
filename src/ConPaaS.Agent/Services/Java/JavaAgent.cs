using System.Runtime.CompilerServices;
using System.Security;
using System.Text.Json.Nodes;
using ConPaaS.Agent.Services.Web;
using ConPaaS.Common;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Java;

/// <summary>
/// The java agent: a web agent whose backend is Debian's Tomcat, listening on the backend port itself. Each code
/// version (a .war or an archive of an unpacked web application, unpacked by SafeArchive, so Tomcat never reads an
/// unchecked archive) is deployed with Tomcat's parallel deployment: a context descriptor <c>ROOT##N</c> pointing at
/// the unpacked directory, N rising with each version. Tomcat sends new requests to the highest N once it has
/// started, while requests and sessions of the previous version finish on it, so a switch drops nothing.
/// </summary>
public sealed class JavaAgent(AgentFiles files, NodeContext context) : WebAgent(files, context, ServiceTypes.Java.Name)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Java, (files, context) => new JavaAgent(files, context));

    private const string TomcatHome = "/usr/share/tomcat10";
    // Generous: a JVM under emulation (a Nutshell without KVM) takes its time.
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(180);

    private BackgroundProcess? _tomcat;
    private string TomcatBase => Path.Combine(Layout.Home, "tomcat");
    /// <summary>Tomcat's configBase: the context descriptors it deploys.</summary>
    private string Descriptors => Path.Combine(TomcatBase, "conf", "Catalina", "localhost");
    private string TomcatLog => Path.Combine(Layout.Logs, "tomcat.log");

    protected override async Task ApplyBackendAsync(bool backend, JsonObject configuration, CancellationToken cancellationToken)
    {
        if (!backend)
        {
            if (_tomcat is not null) await _tomcat.KillAsync();
            _tomcat = null;
            return;
        }
        if (_tomcat is not null && !_tomcat.Exited.IsCompleted) return;

        // A fresh start deploys the served version only.
        if (Directory.Exists(Descriptors)) Directory.Delete(Descriptors, recursive: true);
        foreach (var directory in new[] { Descriptors, Path.Combine(TomcatBase, "webapps"), Path.Combine(TomcatBase, "work"), Path.Combine(TomcatBase, "temp") })
            Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(TomcatBase, "conf", "server.xml"), ServerXml(Ip));
        // Tomcat's default web.xml (the default and JSP servlets, MIME types) as Debian ships it.
        File.Copy(Path.Combine(TomcatHome, "etc", "web.xml"), Path.Combine(TomcatBase, "conf", "web.xml"), overwrite: true);
        var descriptor = WriteDescriptor(Path.GetFullPath(Path.Combine(Layout.Versions, new DirectoryInfo(Layout.Current).LinkTarget!)));
        // As root (in a container) Tomcat runs as www-data, like nginx's workers.
        if (Environment.IsPrivilegedProcess)
            await new Command("chown", "-R", "www-data:www-data", TomcatBase).RunAsync(cancellationToken);

        var logStart = File.Exists(TomcatLog) ? new FileInfo(TomcatLog).Length : 0;
        string[] user = Environment.IsPrivilegedProcess ? ["setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups"] : [];
        string[] java =
        [
            // A node is small (a container has 512 MiB by default): a bounded heap and the serial collector's few threads.
            "java", "-Xmx192m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", $"-Djava.io.tmpdir={TomcatBase}/temp",
            $"-Dcatalina.home={TomcatHome}", $"-Dcatalina.base={TomcatBase}",
            "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
            // What Tomcat's own catalina.sh opens on Java 17 (its leak detection reads these).
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
            "-classpath", $"{TomcatHome}/bin/bootstrap.jar:{TomcatHome}/bin/tomcat-juli.jar",
            "org.apache.catalina.startup.Bootstrap", "start",
        ];
        string[] command = [.. user, .. java];
        _tomcat = Start(command[0], command[1..], Path.GetFileName(TomcatLog));
        await DeployedAsync(descriptor, logStart, cancellationToken);
        await WaitForAsync(() => Listening(WebLayout.BackendPort), "Tomcat", _tomcat, cancellationToken);
    }

    /// <summary>A new version is deployed beside the served one while Tomcat runs; it serves new requests once started.</summary>
    protected override async Task VersionUnpackedAsync(string directory, CancellationToken cancellationToken)
    {
        if (_tomcat is null || _tomcat.Exited.IsCompleted) return;
        var logStart = File.Exists(TomcatLog) ? new FileInfo(TomcatLog).Length : 0;
        await DeployedAsync(WriteDescriptor(directory), logStart, cancellationToken);
    }

    protected override bool StillServing(string directory) =>
        Directory.Exists(Descriptors) && Directory.EnumerateFiles(Descriptors, "*.xml").Any(d => File.ReadAllText(d).Contains(SecurityElement.Escape(directory)));

    /// <summary>ROOT##N.xml, N above every earlier version's (Tomcat compares the versions as strings: fixed width).</summary>
    private string WriteDescriptor(string directory)
    {
        var path = Path.Combine(Descriptors, $"ROOT##{DateTime.UtcNow.Ticks:D20}.xml");
        AtomicFile.WriteAllText(path, $"<Context docBase=\"{SecurityElement.Escape(directory)}\"/>\n");
        if (Environment.IsPrivilegedProcess) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>
    /// Waits for Tomcat's log to say the descriptor is deployed. An application that fails to start (a broken
    /// web.xml, a servlet that throws) is undeployed again and reported; the version served before keeps serving.
    /// </summary>
    private async Task DeployedAsync(string descriptor, long logStart, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + DeployTimeout;
        var delay = new PollingDelay();
        while (true)
        {
            var log = ReadFrom(TomcatLog, logStart);
            // Tomcat names the context by its version: "Context [##N] startup failed due to previous errors".
            var context = Path.GetFileNameWithoutExtension(descriptor)["ROOT".Length..];
            var failed = log.Contains($"[{context}] startup failed") || log.Contains($"Error deploying deployment descriptor [{descriptor}]");
            if (failed || log.Contains($"Deployment of deployment descriptor [{descriptor}] has finished"))
            {
                if (!failed) return;
                File.Delete(descriptor);
                throw new RpcException("the web application failed to start in Tomcat; its reasons are in the agent's tomcat.log");
            }
            if (_tomcat!.Exited.IsCompleted) throw new RpcException($"Tomcat exited (code {await _tomcat.Exited}); see tomcat.log on the agent");
            if (DateTime.UtcNow > deadline)
            {
                File.Delete(descriptor);
                throw new RpcException($"Tomcat did not deploy the version within {DeployTimeout.TotalSeconds:0} s");
            }
            await delay.WaitAsync(cancellationToken);
        }
    }

    private static string ReadFrom(string path, long offset)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>One HTTP connector on the agent's own address; no shutdown port (the agent stops Tomcat with a
    /// signal); descriptors checked every second, old versions undeployed once their sessions are gone.</summary>
    private static string ServerXml(string ip) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by cpsagent (java). -->
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector address="{ip}" port="{WebLayout.Port(WebLayout.BackendPort)}" protocol="HTTP/1.1" connectionTimeout="20000"/>
            <Engine name="Catalina" defaultHost="localhost" backgroundProcessorDelay="1">
              <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="true" undeployOldVersions="true"/>
            </Engine>
          </Service>
        </Server>

        """;
}
