using System.Text.Json.Nodes;
using ConPaaS.Common;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Web;

/// <summary>
/// What php's and java's agents share (the original's one "web" agent): the roles proxy, web and backend served by
/// one nginx of the agent's own, bound to its own address, and code versions unpacked beside each other with the
/// served one switched in one rename. A type adds its backend server (php-fpm, Tomcat) and its own methods.
/// <c>configure</c> (the service's layout, from the manager) starts what is missing, reloads what runs and stops what
/// the roles no longer need; requests in flight finish.
/// </summary>
public abstract class WebAgent(AgentFiles files, NodeContext context, string type) : AgentService(files, context)
{
    private const int KeptVersions = 2;

    private BackgroundProcess? _nginx;

    protected WebLayout Layout { get; } = new(files, type);
    protected string Ip => Context.Listen.Address.ToString();
    /// <summary>The last layout from the manager; null before the first <c>configure</c>.</summary>
    protected JsonObject? Configuration { get; private set; }
    protected IReadOnlyList<string> Roles => (Configuration?["roles"]?.ToString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public sealed override async Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken) => call.Method switch
    {
        "update_code" => await SerializedAsync(() => UpdateCodeAsync(call.String("code_version"), call.File("code"), cancellationToken)),
        "configure" => await SerializedAsync(() => ConfigureAsync(call.Params, cancellationToken)),
        _ => await TypeDispatchAsync(call, cancellationToken),
    };

    /// <summary>The type's own methods (run them through <see cref="SerializedAsync"/>); null for unknown ones.</summary>
    protected virtual Task<JsonNode?> TypeDispatchAsync(RpcCall call, CancellationToken cancellationToken) => Task.FromResult<JsonNode?>(null);

    /// <summary>Starts, reloads or (when <paramref name="backend"/> is false) stops the type's backend servers.</summary>
    protected abstract Task ApplyBackendAsync(bool backend, JsonObject configuration, CancellationToken cancellationToken);

    /// <summary>The backend's nginx server block, when the type's backend sits behind nginx (php's FastCGI).</summary>
    protected virtual string? NginxBackendServer() => null;

    /// <summary>Called with a freshly unpacked version before it becomes the served one (java deploys it in Tomcat).</summary>
    protected virtual Task VersionUnpackedAsync(string directory, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether an old version's directory must stay (a Tomcat still serving sessions from it).</summary>
    protected virtual bool StillServing(string directory) => false;

    /// <summary>Unpacks the version beside the one served (archives are hostile: SafeArchive), then points
    /// <c>current</c> at it in one rename, and keeps the previous version for requests still reading it.</summary>
    private async Task<JsonNode?> UpdateCodeAsync(string version, IFormFile upload, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Layout.Versions);
        var target = Path.Combine(Layout.Versions, $"{version}-{Guid.NewGuid():N}");
        var incoming = target + ".archive";
        try
        {
            await using (var output = File.Create(incoming))
                await upload.CopyToAsync(output, cancellationToken);
            SafeArchive.Extract(incoming, target);
            // World-readable for the servers' workers (www-data, tomcat when the agent is root).
            foreach (var path in Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Append(target))
                if (!File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                    File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead | UnixFileMode.GroupRead
                        | (Directory.Exists(path) ? UnixFileMode.OtherExecute | UnixFileMode.GroupExecute : 0));
            await VersionUnpackedAsync(target, cancellationToken);
        }
        catch
        {
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(incoming);
        }
        SymbolicLink.Replace(Layout.Current, Path.GetFileName(target));
        foreach (var old in Directory.GetDirectories(Layout.Versions).Select(d => new DirectoryInfo(d))
                     .Where(d => d.LinkTarget is null).OrderByDescending(d => d.CreationTimeUtc).Skip(KeptVersions)
                     .Where(d => !StillServing(d.FullName)))
            old.Delete(recursive: true);
        AgentLog.Write(Files, $"{type}: code version {version} served from {Path.GetFileName(target)}");
        return true;
    }

    private async Task<JsonNode?> ConfigureAsync(JsonObject parameters, CancellationToken cancellationToken)
    {
        Configuration = (JsonObject)parameters.DeepClone();
        await ApplyAsync(cancellationToken);
        return new JsonObject { ["url"] = Roles.Contains("proxy") ? $"http://{Ip}:{WebLayout.ProxyPort}/" : null };
    }

    /// <summary>Brings the servers in line with <see cref="Configuration"/>.</summary>
    protected async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var configuration = Configuration!;
        var roles = Roles;
        var backends = Strings(configuration["backends"]);
        var webs = Strings(configuration["webs"]);
        if (roles.Count == 0) throw new RpcException("configure needs 'roles'");
        if (roles.Contains("proxy") && (backends.Count == 0 || webs.Count == 0)) throw new RpcException("a proxy needs backends and web servers");
        Directory.CreateDirectory(Layout.Run);
        Directory.CreateDirectory(Layout.Temporary);
        Directory.CreateDirectory(Layout.Logs);
        if (!Path.Exists(Layout.Current)) throw new RpcException("no code version on this agent yet (update_code first)");

        await ApplyBackendAsync(roles.Contains("backend"), configuration, cancellationToken);

        AtomicFile.WriteAllText(Layout.NginxConfig, WebConfigs.Nginx(Layout, Ip, roles, backends, webs, NginxBackendServer()));
        if (_nginx is null || _nginx.Exited.IsCompleted)
        {
            File.Delete(Layout.NginxPid);
            _nginx = Start("nginx", ["-p", Layout.Home, "-e", Path.Combine(Layout.Logs, "nginx-error.log"), "-c", Layout.NginxConfig, "-g", "daemon off;"], "nginx.out");
            await WaitForAsync(() => File.Exists(Layout.NginxPid), "nginx", _nginx, cancellationToken);
        }
        else if (!ProcessSignal.Send(_nginx, ProcessSignal.Hangup))
            throw new RpcException("nginx could not be told to reload");
        AgentLog.Write(Files, $"{type}: serving as {string.Join(",", roles)} (backends {string.Join(" ", backends)}; web servers {string.Join(" ", webs)})");
    }

    protected BackgroundProcess Start(string program, string[] arguments, string log) => Start(new Command(program, arguments), log);

    private static IReadOnlyList<string> Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => n?.ToString() ?? "").Where(s => s.Length > 0)];
}
