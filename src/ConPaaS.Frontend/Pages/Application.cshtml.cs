using System.Text.Json.Nodes;
using ConPaaS.Frontend.Sessions;
using ConPaaS.Platform.Services;
using Microsoft.AspNetCore.Mvc;

namespace ConPaaS.Frontend.Pages;

/// <summary>An application: its state and services; start, stop, add, remove, rename, the manifest, the manager's log.</summary>
public sealed class ApplicationModel : ConPaaSPageModel
{
    [FromRoute] public long Aid { get; set; }
    public JsonObject? Application { get; private set; }
    public IReadOnlyList<JsonObject> Services { get; private set; } = [];
    public string Name => Application is null ? $"Application {Aid}" : UserClient.Text(Application["name"]);

    public async Task OnGetAsync()
    {
        Application = await LoadAsync(() => Client.ApplicationAsync(Aid, HttpContext.RequestAborted));
        if (Application is not null) Services = await LoadAsync(() => Client.ServicesAsync(Aid, HttpContext.RequestAborted)) ?? [];
    }

    public async Task<IActionResult> OnGetManifestAsync()
    {
        try
        {
            var manifest = await Client.GetBytesAsync($"/download_manifest/{Aid}", HttpContext.RequestAborted);
            return File(manifest, "application/json", $"application-{Aid}.json");
        }
        catch (FrontendException e)
        {
            Problem = e.Message;
            return RedirectToPage();
        }
    }

    public Task<IActionResult> OnPostStartAsync() => ActAsync(async () =>
    {
        await Client.PostAsync($"/startapp/{Aid}", [], HttpContext.RequestAborted);
        return $"Application {Aid} is starting: its manager is being created.";
    });

    public Task<IActionResult> OnPostStopAsync() => ActAsync(async () =>
    {
        await Client.PostAsync($"/stopapp/{Aid}", [], HttpContext.RequestAborted);
        return $"Application {Aid} is stopping.";
    });

    public Task<IActionResult> OnPostAddServiceAsync(string? type) => ActAsync(async () =>
    {
        if (type is null || ServiceTypes.Find(type) is not { Runnable: true }) throw new FrontendException($"'{type}' is not a service type this release runs");
        var added = await Client.PostAsync($"/add/{Uri.EscapeDataString(type)}", [Field("appid", Aid.ToString())], HttpContext.RequestAborted);
        return $"Service {UserClient.Text(added?["service"]?["sid"])} ({type}) added; start it here or from its page.";
    });

    public Task<IActionResult> OnPostRemoveServiceAsync(long sid) => ActAsync(async () =>
    {
        await Client.PostAsync("/remove", [Field("app_id", Aid.ToString()), Field("service_id", sid.ToString())], HttpContext.RequestAborted);
        return $"Service {sid} removed.";
    });

    public Task<IActionResult> OnPostRenameServiceAsync(long sid, string? name) => ActAsync(async () =>
    {
        if (string.IsNullOrWhiteSpace(name)) throw new FrontendException("give the service a new name");
        await Client.PostAsync("/rename", [Field("app_id", Aid.ToString()), Field("service_id", sid.ToString()), Field("name", name.Trim())], HttpContext.RequestAborted);
        return $"Service {sid} renamed to '{name.Trim()}'.";
    });

    public Task<IActionResult> OnPostStartServiceAsync(long sid) => ActAsync(async () =>
    {
        await Client.ManagerAsync(await Client.ApplicationAsync(Aid, HttpContext.RequestAborted), sid, "start_service", null, HttpContext.RequestAborted);
        return $"Service {sid} is starting.";
    });

    public Task<IActionResult> OnPostStopServiceAsync(long sid) => ActAsync(async () =>
    {
        await Client.ManagerAsync(await Client.ApplicationAsync(Aid, HttpContext.RequestAborted), sid, "stop_service", null, HttpContext.RequestAborted);
        return $"Service {sid} is stopping.";
    });
}
