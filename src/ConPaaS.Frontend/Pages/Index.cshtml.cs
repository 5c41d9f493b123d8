using System.Text.Json.Nodes;
using ConPaaS.Frontend.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace ConPaaS.Frontend.Pages;

/// <summary>The dashboard: the user's applications with live states; create, rename, delete, start, stop; deploy a manifest.</summary>
public sealed class IndexModel : ConPaaSPageModel
{
    public IReadOnlyList<JsonObject> Applications { get; private set; } = [];

    public async Task OnGetAsync() => Applications = await LoadAsync(() => Client.ApplicationsAsync(HttpContext.RequestAborted)) ?? [];

    public Task<IActionResult> OnPostCreateAsync(string? name) => ActAsync(async () =>
    {
        if (string.IsNullOrWhiteSpace(name)) throw new FrontendException("give the new application a name");
        var created = await Client.PostAsync("/createapp", [Field("name", name.Trim())], HttpContext.RequestAborted);
        return $"Application '{UserClient.Text(created?["name"])}' created with id {UserClient.Text(created?["aid"])}.";
    });

    public Task<IActionResult> OnPostStartAsync(long aid) => ActAsync(async () =>
    {
        await Client.PostAsync($"/startapp/{aid}", [], HttpContext.RequestAborted);
        return $"Application {aid} is starting: its manager is being created.";
    });

    public Task<IActionResult> OnPostStopAsync(long aid) => ActAsync(async () =>
    {
        await Client.PostAsync($"/stopapp/{aid}", [], HttpContext.RequestAborted);
        return $"Application {aid} is stopping: its services' nodes and its manager.";
    });

    public Task<IActionResult> OnPostRenameAsync(long aid, string? name) => ActAsync(async () =>
    {
        if (string.IsNullOrWhiteSpace(name)) throw new FrontendException("give the application a new name");
        await Client.PostAsync($"/renameapp/{aid}", [Field("name", name.Trim())], HttpContext.RequestAborted);
        return $"Application {aid} renamed to '{name.Trim()}'.";
    });

    public Task<IActionResult> OnPostDeleteAsync(long aid) => ActAsync(async () =>
    {
        await Client.PostAsync($"/deleteapp/{aid}", [], HttpContext.RequestAborted);
        return $"Application {aid} deleted.";
    });

    public Task<IActionResult> OnPostManifestAsync(IFormFile? manifest) => ActAsync(async () =>
    {
        if (manifest is null || manifest.Length == 0) throw new FrontendException("choose a manifest file");
        if (manifest.Length > FrontendSettings.MaxTextUploadBytes) throw new FrontendException($"the manifest is {manifest.Length} bytes; a manifest is at most {FrontendSettings.MaxTextUploadBytes} bytes");
        using var reader = new StreamReader(manifest.OpenReadStream());
        using var form = new MultipartFormDataContent { { new StringContent(await reader.ReadToEndAsync(HttpContext.RequestAborted)), "manifest" } };
        var created = await Client.PostMultipartAsync("/upload_manifest", form, HttpContext.RequestAborted);
        return $"Application '{UserClient.Text(created?["name"])}' created with id {UserClient.Text(created?["aid"])} from {Path.GetFileName(manifest.FileName)}; its services are being deployed.";
    });
}
