using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>Deploying from a manifest on the dashboard, and the credit in the corner as nodes run.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task A_manifest_deployed_from_the_dashboard_starts_its_services()
    {
        await using var sandbox = await Sandbox.StartAsync(withFrontend: true);
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var manifest = Path.Combine(sandbox.Home, "greetings.json");
        File.WriteAllText(manifest, """{ "Application": "Greetings", "Services": [ { "Type": "helloworld", "ServiceName": "hello", "Start": 1 } ] }""");
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "manifest");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);

        await page.SetInputFilesAsync("#manifest", manifest);
        await page.ClickAsync("button:text-is('Deploy')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Application 'Greetings' created with id 1 from greetings.json");
        await Expect(page.Locator("[data-live=app-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        await page.ClickAsync("a:text-is('Greetings')");
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("text=Download manifest"));
        var saved = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("\"Greetings\"", saved);
        Assert.Contains("helloworld", saved);

        // A broken manifest is refused in words naming what is wrong, and creates nothing.
        File.WriteAllText(manifest, """{ "Application": "x", "Services": [ { "ServiceName": "no type" } ] }""");
        await page.GotoAsync("/");
        await page.SetInputFilesAsync("#manifest", manifest);
        await page.ClickAsync("button:text-is('Deploy')");
        await Expect(page.Locator(".problem")).ToContainTextAsync("Services[0].Type is missing");
        var listed = System.Text.Json.Nodes.JsonNode.Parse(await sandbox.CpsToolsOkAsync("application", "list", "--json"))!.AsArray();
        Assert.Equal(["Greetings"], listed.Select(a => a!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_credit_in_the_corner_drops_as_nodes_run()
    {
        await using var sandbox = await Sandbox.StartAsync(new Dictionary<string, string> { ["CPSDIRECTOR_DIRECTOR_CREDIT_PERIOD"] = "1" }, withFrontend: true);
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "credit");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        var before = int.Parse(await page.Locator("#credit").InnerTextAsync());
        await page.FillAsync("#new-name", "paying");
        await page.ClickAsync("button:text-is('Create')");
        await page.ClickAsync("tr:has-text('paying') >> button:text-is('Start')");
        await Expect(page.Locator("[data-live=app-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        int now;
        while ((now = int.Parse(await page.Locator("#credit").InnerTextAsync())) >= before && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.True(now < before, $"the credit stayed at {now} (was {before}) while the manager ran");
    }
}
