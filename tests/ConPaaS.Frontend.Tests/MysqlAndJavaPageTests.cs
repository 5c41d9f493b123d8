using System.IO.Compression;
using System.Text.RegularExpressions;
using ConPaaS.Processes;
using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>
/// The mysql and java service pages in Chromium: mysql's connection command, the password reset (judged by the
/// mariadb client logging in with it), a dump uploaded and one downloaded, the performance monitor, glbs added by
/// role; java's .war uploaded, set active and served at the page's link.
/// </summary>
public sealed class MysqlAndJavaPageTests
{
    [Fact]
    public async Task The_mysql_page_resets_the_password_loads_and_downloads_dumps_and_shows_the_performance_monitor()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("data", withFrontend: true);
        await sandbox.CpsToolsOkAsync("mysql", "add", "1");
        await sandbox.CpsToolsOkAsync("mysql", "start", "1", "1");
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "mysql");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        await page.GotoAsync("/app/1/service/1");

        var connect = await page.Locator("#mysql-connect").InnerTextAsync();
        Assert.Contains($"connect: {connect}\n", await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"));
        var host = Regex.Match(connect, @"-h (\S+)").Groups[1].Value;

        await page.FillAsync("#mysql-password", "browser-password");
        await page.FillAsync("#mysql-password-again", "another-password");
        await page.ClickAsync("button:text-is('Reset password')");
        await Expect(page.Locator(".problem")).ToContainTextAsync("the two passwords differ");
        await page.FillAsync("#mysql-password", "browser-password");
        await page.FillAsync("#mysql-password-again", "browser-password");
        await page.ClickAsync("button:text-is('Reset password')");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The password of mysqldb is reset.");
        Assert.Equal("1", await MariadbAsync(host, "SELECT 1"));

        var dump = Path.Combine(sandbox.Home, "garden.sql");
        File.WriteAllText(dump, "CREATE DATABASE garden;\nCREATE TABLE garden.plants (id INT PRIMARY KEY, name TEXT);\nINSERT INTO garden.plants VALUES (1, 'fern');\n");
        await page.SetInputFilesAsync("#mysql-dump", dump);
        await page.ClickAsync("button:text-is('Upload dump')");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The dump garden.sql is loaded.");
        Assert.Equal("fern", await MariadbAsync(host, "SELECT name FROM garden.plants"));
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("text=Download a dump"));
        var saved = Path.Combine(sandbox.Home, "downloaded.sql");
        await download.SaveAsAsync(saved);
        Assert.Contains("(1,'fern')", File.ReadAllText(saved));

        await Expect(page.Locator("#mysql-stats tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#mysql-stats tr").First).ToContainTextAsync("Synced");

        await page.FillAsync("#Add-glb", "1");
        await page.ClickAsync("button:text-is('Add nodes')");
        var rows = page.Locator("[data-live-count=nodes] tr");
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 90_000 });
        await Expect(page.Locator("[data-live=svc-1]")).ToHaveTextAsync("RUNNING", new() { Timeout = 90_000 });
        await page.ReloadAsync();
        await Expect(rows.Nth(1)).ToContainTextAsync("glb");
        Assert.DoesNotContain(host, await page.Locator("#mysql-connect").InnerTextAsync());
    }

    [Fact]
    public async Task The_java_page_takes_a_war_sets_it_active_and_links_the_application()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("shop", withFrontend: true);
        await sandbox.CpsToolsOkAsync("java", "add", "1");
        await sandbox.CpsToolsOkAsync("java", "start", "1", "1");
        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "java");
        var page = browser.Page;
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        await page.GotoAsync("/app/1/service/1");

        var war = Path.Combine(sandbox.Home, "shop.war");
        using (var zip = ZipFile.Open(war, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("index.jsp").Open()))
            writer.Write("<%@ page session=\"false\" %>shop from the browser on <%= application.getServerInfo() %>");
        await page.SetInputFilesAsync("#code", war);
        await page.ClickAsync("button:text-is('Upload')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("uploaded");
        await page.ClickAsync("button:text-is('Set active')");
        await Expect(page.Locator(".notice")).ToContainTextAsync("is active");
        var url = await page.Locator("#application-url").InnerTextAsync();
        Assert.StartsWith("shop from the browser on Apache Tomcat/10", await (await page.APIRequest.GetAsync(url)).TextAsync());
    }

    private static async Task<string> MariadbAsync(string host, string sql)
    {
        var result = await new Command("mariadb", "-h", host, "-u", "mysqldb", "--batch", "--skip-column-names", "-e", sql)
            .WithEnvironment("MYSQL_PWD", "browser-password").RunAsync(CancellationToken.None, allowFailure: true);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput.Trim();
    }
}
