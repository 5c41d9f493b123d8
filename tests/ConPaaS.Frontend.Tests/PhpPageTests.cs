using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>The php service's page: the link to the served application, and nodes added and removed by role.</summary>
public sealed class PhpPageTests
{
    [Fact]
    public async Task The_php_page_links_the_application_and_scales_by_role()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("site", withFrontend: true);
        await sandbox.CpsToolsOkAsync("php", "add", "1");
        await sandbox.CpsToolsOkAsync("php", "start", "1", "1");
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "php");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        await page.GotoAsync("/app/1/service/1");

        var link = page.Locator("#application-url");
        var url = await link.InnerTextAsync();
        Assert.Equal((await sandbox.CpsToolsOkAsync("php", "get_url", "1", "1")).Trim(), url);
        Assert.Contains("Welcome to ConPaaS", await (await page.APIRequest.GetAsync(url)).TextAsync());

        var rows = page.Locator("[data-live-count=nodes] tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("proxy,web,backend");
        await page.FillAsync("#Add-backend", "1");
        await page.ClickAsync("button:text-is('Add nodes')");
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 90_000 });
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        await page.ReloadAsync();
        await Expect(rows.First).ToContainTextAsync("proxy,web");
        await Expect(rows.Nth(1)).ToContainTextAsync("backend");

        await page.FillAsync("#Remove-backend", "1");
        await page.ClickAsync("button:text-is('Remove nodes')");
        await Expect(rows).ToHaveCountAsync(1, new() { Timeout = 90_000 });
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        await page.ReloadAsync();
        await Expect(rows.First).ToContainTextAsync("proxy,web,backend");
    }
}
