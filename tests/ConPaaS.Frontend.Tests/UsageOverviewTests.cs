using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>The seeds' "Usage overview" in a browser, from login to "stop the application", and a generic service's life.</summary>
public sealed class UsageOverviewTests
{
    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 90_000 };

    [Fact]
    public async Task From_login_to_stopping_the_application()
    {
        await using var sandbox = await Sandbox.StartAsync(withFrontend: true);
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "usage-overview");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        await Expect(page.Locator("#credit")).ToHaveTextAsync("50");

        // "create new application", with the keyboard alone: Tab to the name field, type, Enter.
        await TabToAsync(page, "new-name");
        await page.Keyboard.TypeAsync("First app");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Application 'First app' created with id 1.");
        await Expect(page.Locator("[data-live=app-1]")).ToHaveTextAsync("INIT");
        // Names are unique per user: said in words.
        await page.FillAsync("#new-name", "First app");
        await page.ClickAsync("button:text-is('Create')");
        await Expect(page.Locator(".problem")).ToContainTextAsync("First app");

        await page.ClickAsync("a:text-is('First app')");
        await page.ClickAsync("button:text-is('Start application')");
        await MarkAsync(page);
        await Expect(page.Locator("[data-live=app-1]")).ToHaveTextAsync("RUNNING", Slow);
        await ExpectNotReloadedAsync(page); // the state changed under the user's eyes, not by a reload

        await page.SelectOptionAsync("#type", "helloworld");
        await page.ClickAsync("button:text-is('Add')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Service 1 (helloworld) added");
        await page.ClickAsync("tr:has(a:text-is('helloworld')) >> button:text-is('Start')");
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", Slow);

        await page.ClickAsync("a:text-is('helloworld')");
        await Expect(page.Locator("#greeting")).ToContainTextAsync("Hello");
        var rows = page.Locator("[data-live-count=nodes] tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("helloworld");
        await Expect(rows.First).ToContainTextAsync(new Regex(@"127\.\d+\.\d+\.\d+"));

        // Scale up and down: the table follows by itself.
        await page.FillAsync("#add-count", "2");
        await page.ClickAsync("button:text-is('Add nodes')");
        await Expect(rows).ToHaveCountAsync(3, new() { Timeout = 90_000 });
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", Slow);
        await page.FillAsync("#remove-count", "1");
        await page.ClickAsync("button:text-is('Remove nodes')");
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 90_000 });

        await page.ClickAsync("a:text-is('agent.log') >> nth=0");
        await Expect(page.Locator("#log")).Not.ToBeEmptyAsync();
        await page.GoBackAsync();
        await page.ClickAsync("text=Manager log");
        await Expect(page.Locator("#log")).ToContainTextAsync("service 1");

        await page.GotoAsync("/app/1");
        await page.ClickAsync("tr:has(a:text-is('helloworld')) >> button:text-is('Stop')");
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("STOPPED", Slow);
        await page.ClickAsync("button:text-is('Stop application')");
        await Expect(page.Locator("[data-live=app-1]")).ToHaveTextAsync("STOPPED", Slow);
        Assert.Contains("STOPPED", await sandbox.CpsToolsOkAsync("application", "list"));
    }

    [Fact]
    public async Task A_generic_service_through_code_upload_set_active_run_and_scale()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("scripts", withFrontend: true);
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var package = GenericPackage.Make(sandbox.Home);
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "generic");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        await page.GotoAsync("/app/1/service/1");

        await page.SetInputFilesAsync("#code", package);
        await page.FillAsync("#description", "from the browser");
        await page.ClickAsync("button:text-is('Upload')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("uploaded");
        var version = Regex.Match(await page.Locator(".notice").InnerTextAsync(), @"code-\w{6}").Value;
        var row = page.Locator($"tr:has-text('{version}')");
        await Expect(row).ToContainTextAsync("from the browser");
        await row.Locator("button:text-is('Set active')").ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync($"Code version {version} is active.");
        await Expect(page.Locator($"tr:has-text('{version}')")).ToContainTextAsync("active");
        Assert.Matches($@"\*\s+{version}", await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1"));

        // Download it back: the same bytes.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator($"tr:has-text('{version}') >> text=Download").ClickAsync());
        Assert.Equal(await File.ReadAllBytesAsync(package), await File.ReadAllBytesAsync(await download.PathAsync()));

        await ReloadUntilAsync(page, "tr:has-text('init.sh')", "STOPPED (return code 0)");
        await page.FillAsync("#parameters", "first second");
        await page.ClickAsync("button[value=run]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("run.sh started on 1 agents.");
        await ReloadUntilAsync(page, "tr:has-text('run.sh')", "STOPPED (return code 0)");
        var agent = (await page.Locator("[data-live-count=nodes] tr >> nth=0 >> td >> nth=2").InnerTextAsync()).Trim();
        await page.GotoAsync($"/app/1/log?sid=1&agent={agent}&file=agent.out");
        await Expect(page.Locator("#log")).ToContainTextAsync("Parameters (2): first second");
        await Expect(page.Locator("#log")).ToContainTextAsync("My role is master");

        await page.GotoAsync("/app/1/service/1");
        await page.FillAsync("#add-count", "1");
        await page.ClickAsync("button:text-is('Add nodes')");
        var rows = page.Locator("[data-live-count=nodes] tr");
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 90_000 });
        await Expect(rows.Nth(1)).ToContainTextAsync("node");
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", Slow);
        await page.ClickAsync("button:text-is('Remove nodes')");
        await Expect(rows).ToHaveCountAsync(1, new() { Timeout = 90_000 });

        await page.FillAsync("#volume-name", "data");
        await page.FillAsync("#volume-size", "8");
        await page.ClickAsync("button:text-is('Create volume')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Volume data (8 MB) created");
        await page.ClickAsync("tr:has-text('data') >> button:text-is('Delete')");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Volume data detached and deleted.");
    }

    /// <summary>Presses Tab until the element with <paramref name="id"/> has the focus (so it is reachable by keyboard).</summary>
    internal static async Task TabToAsync(IPage page, string id)
    {
        for (var presses = 0; presses < 40; presses++)
        {
            if (await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.id : ''") == id) return;
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"#{id} cannot be reached with Tab");
    }

    private static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.notReloaded = true; }");

    private static async Task ExpectNotReloadedAsync(IPage page) => Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));

    /// <summary>Script states are read when the page is; reloads until <paramref name="selector"/> shows <paramref name="text"/>.</summary>
    private static async Task ReloadUntilAsync(IPage page, string selector, string text)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            await page.ReloadAsync();
            if ((await page.Locator(selector).AllInnerTextsAsync()).Any(t => t.Contains(text))) return;
        }
        Assert.Fail($"{selector} never showed '{text}'");
    }
}
