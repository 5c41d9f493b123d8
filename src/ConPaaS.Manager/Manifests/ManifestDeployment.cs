using System.Globalization;
using ConPaaS.Manager.Services;
using ConPaaS.Node;
using ConPaaS.Platform.Manifests;
using ConPaaS.Platform.Rpc;

namespace ConPaaS.Manager.Manifests;

/// <summary>
/// Deploys a manifest's services, one after the other, as the original's application manager did: each service is
/// numbered by the director and added here, given its Archive as the active code version and its StartupScript,
/// started when it says Start, grown to its StartupInstances, and given what only its type reads (mysql: Password,
/// Dump). The deployment is tracked: its state is part of
/// get_app_info and every step and failure goes to the manager's log.
/// </summary>
public sealed class ManifestDeployment
{
    public const long MaxDownloadBytes = 64L << 20;

    private readonly Task _work;
    private volatile string _state = "DEPLOYING";

    /// <summary>DEPLOYING, DEPLOYED, or FAILED with the reason.</summary>
    public string State => _state;

    public Task Completion => _work;

    private ManifestDeployment(Func<ManifestDeployment, Task> work) => _work = Task.Run(() => work(this));

    /// <param name="addService">Adds a service the director has numbered (id, type, name, cloud) to this manager.</param>
    public static ManifestDeployment Start(Manifest manifest, IReadOnlyDictionary<string, byte[]> uploads, NodeClients clients, ManagerLog log,
        Func<long, string, string, string, ServiceManager> addService) => new(async self =>
    {
        try
        {
            log.Write($"deploying the manifest of '{manifest.Application}': {manifest.Services.Count} services");
            foreach (var wanted in manifest.Services) await DeployAsync(wanted, uploads, clients, log, addService);
            self._state = "DEPLOYED";
            log.Write("the manifest is deployed");
        }
        catch (Exception e)
        {
            self._state = $"FAILED: {e.Message}";
            log.Write($"deploying the manifest failed: {e.Message}");
        }
    });

    private static async Task DeployAsync(ManifestService wanted, IReadOnlyDictionary<string, byte[]> uploads, NodeClients clients, ManagerLog log,
        Func<long, string, string, string, ServiceManager> addService)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var token = timeout.Token;
        var registered = await clients.DirectorAsync("/register_service",
            [new("type", wanted.Type.Name), new("name", wanted.Name ?? wanted.Type.Name), new("cloud", wanted.Cloud)], token);
        var sid = registered?["sid"]?.GetValue<long>() ?? throw new RpcException("the director did not number the service");
        var service = addService(sid, wanted.Type.Name, registered["name"]?.ToString() ?? wanted.Type.Name, wanted.Cloud);
        if (wanted.Archive is { } archive)
        {
            var code = (service as ICodeService ?? throw new RpcException($"{wanted.Type.Name} services take no code")).Codes;
            using var bytes = new MemoryStream(await FetchAsync(archive, uploads, token), writable: false);
            var version = await code.AddAsync(bytes, archive.FileName, "From the manifest", token);
            code.Enable(version.CodeVersionId);
            log.Write($"service {sid}: {archive.FileName} is code version {version.CodeVersionId}, active");
        }
        if (wanted.StartupScript is { } script)
            service.StartupScript = System.Text.Encoding.UTF8.GetString(await FetchAsync(script, uploads, token));
        if (!wanted.Start) return;
        await service.StartServiceAsync();
        var extra = service.ExtraRoles(wanted);
        if (extra.Count > 0) await service.AddAgentsAsync(extra);
        log.Write($"service {sid}: started, {1 + extra.Count} agent(s) as the manifest asks");
        await service.ApplyManifestAsync(wanted, source => FetchAsync(source, uploads, token), token);
    }

    /// <summary>The bytes of an Archive, StartupScript or Dump: sent with the manifest, or fetched over http(s) with a size cap.</summary>
    private static async Task<byte[]> FetchAsync(ManifestSource source, IReadOnlyDictionary<string, byte[]> uploads, CancellationToken token)
    {
        if (source.Upload is { } field)
            return uploads.TryGetValue(field, out var sent) ? sent : throw new RpcException($"the manifest names the upload '{field}', which was not sent");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, token);
        response.EnsureSuccessStatusCode();
        var tooLarge = $"{source.Url} is larger than {(MaxDownloadBytes >> 20).ToString(CultureInfo.InvariantCulture)} MiB";
        if (response.Content.Headers.ContentLength > MaxDownloadBytes) throw new InvalidDataException(tooLarge);
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, token)) > 0)
        {
            if (buffer.Length + read > MaxDownloadBytes) throw new InvalidDataException(tooLarge);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
