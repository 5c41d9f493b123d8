using System.Text.Json.Nodes;
using ConPaaS.Director.Data;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Deploys a checked manifest in the background: starts the application (when it lists services), adds each
/// service, gives generic services their Archive as the active code version, keeps StartupScript with the
/// application manager, starts the services marked Start and grows them to StartupInstances. Progress and failures
/// go to the director's log; the application's and services' states tell the user.
/// </summary>
public sealed class Deployer(Applications applications, ServiceRegistry registry, ManagerClient managers, ILogger<Deployer> logger)
{
    public const long MaxDownloadBytes = 64L << 20;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public void Start(Application application, Manifest manifest, IReadOnlyDictionary<string, byte[]> uploads)
    {
        if (manifest.Services.Count == 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await DeployAsync(application, manifest, uploads);
                logger.LogInformation("application {Aid} deployed from its manifest", application.Aid);
            }
            catch (Exception e)
            {
                logger.LogError("deploying application {Aid} from its manifest failed: {Message}", application.Aid, e.Message);
            }
        });
    }

    private async Task DeployAsync(Application application, Manifest manifest, IReadOnlyDictionary<string, byte[]> uploads)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        var token = timeout.Token;
        await applications.StartAsync(application, manifest.Services[0].Cloud);
        Application running;
        while ((running = applications.Find(application.Aid)!).Status != ApplicationStatus.Running)
        {
            if (running.Status is ApplicationStatus.Error or ApplicationStatus.Stopped) throw new InvalidOperationException($"the application is {running.Status}");
            await Task.Delay(50, token);
        }
        foreach (var wanted in manifest.Services)
        {
            var service = await registry.AddAsync(running, wanted.Type, wanted.Name ?? wanted.Type, wanted.Cloud, token);
            if (wanted.Archive is { } archive)
            {
                var uploaded = await managers.UploadAsync(running, service.Sid, "upload_code_version", new Dictionary<string, string> { ["description"] = "From the manifest" },
                    "code", archive.FileName, await FetchAsync(archive, uploads, token), token);
                await managers.CallAsync(running, "enable_code", new { codeVersionId = uploaded?["codeVersionId"]?.ToString() }, token, service.Sid);
            }
            if (wanted.StartupScript is { } script)
                await managers.UploadAsync(running, 0, "upload_startup_script", new Dictionary<string, string> { ["sid"] = service.Sid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    "script", script.FileName, await FetchAsync(script, uploads, token), token);
            if (!wanted.Start) continue;
            await managers.CallAsync(running, "start_service", new { }, token, service.Sid);
            await WaitRunningAsync(running, service.Sid, token);
            var extra = wanted.Instances.Values.Sum() - (wanted.Type == "generic" ? wanted.Instances.GetValueOrDefault("master", 1) : Math.Min(1, wanted.Instances.Values.Sum()));
            if (extra <= 0) continue;
            await managers.CallAsync(running, "add_nodes", new { count = extra }, token, service.Sid);
            await WaitRunningAsync(running, service.Sid, token);
        }
    }

    private async Task WaitRunningAsync(Application application, long sid, CancellationToken token)
    {
        while (true)
        {
            var info = await managers.CallAsync(application, "get_service_info", new { }, token, sid);
            var state = info?["state"]?.ToString();
            if (state == "RUNNING") return;
            if (state == "ERROR") throw new InvalidOperationException($"service {sid} failed: {info?["error"]}");
            await Task.Delay(50, token);
        }
    }

    /// <summary>The bytes of an Archive or StartupScript: sent with the manifest, or fetched over https with a size cap.</summary>
    private static async Task<byte[]> FetchAsync(ManifestSource source, IReadOnlyDictionary<string, byte[]> uploads, CancellationToken token)
    {
        if (source.Upload is { } field) return uploads[field];
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, token);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxDownloadBytes) throw new InvalidDataException($"{source.Url} is larger than {MaxDownloadBytes >> 20} MiB");
        await using var stream = await response.Content.ReadAsStreamAsync(token);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, token)) > 0)
        {
            if (buffer.Length + read > MaxDownloadBytes) throw new InvalidDataException($"{source.Url} is larger than {MaxDownloadBytes >> 20} MiB");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
