using ConPaaS.Processes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>A second user reaches none of the first user's pages, downloads or actions, however the URL is written.</summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task A_second_user_cannot_see_or_act_on_the_first_users_application()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("secret-app", withFrontend: true);
        await sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1");
        var added = await new Command(Path.Combine(Sandbox.Bin, "cpsdirector"), "adduser", "--config", Path.Combine(sandbox.Directory, "director.cfg"),
            "--username", "eve", "--email", "eve@example.org", "--password", "eve-password").RunAsync(CancellationToken.None, allowFailure: true);
        Assert.True(added.Succeeded, added.StandardError);

        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "isolation");
        var page = browser.Page;
        await browser.LoginAsync("eve", "eve-password");
        await Expect(page.Locator("main")).ToContainTextAsync("You have no application yet");

        foreach (var path in new[] { "/app/1", "/app/1/service/1", "/app/1/log", "/app/1/log?sid=1&agent=x&file=agent.log", "/app/1/service/1?handler=Code&version=code-default", "/app/1/service/1?handler=Dump" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator(".problem").First).ToContainTextAsync("application 1 does not exist");
            Assert.DoesNotContain("secret-app", await page.ContentAsync());
        }
        var manifest = await page.APIRequest.GetAsync("/app/1?handler=Manifest", new() { MaxRedirects = 0 });
        Assert.Equal(302, manifest.Status); // back to the page, with the director's refusal in words
        var live = await (await page.APIRequest.GetAsync("/live?aid=1&sid=1")).TextAsync();
        Assert.DoesNotContain("app-1", live);
        Assert.DoesNotContain("secret-app", live);

        // Forms made by hand with eve's own anti-forgery token, aimed at the first user's application and service.
        await page.GotoAsync("/");
        foreach (var (action, fields) in new (string, string)[]
                 {
                     ("/?handler=Delete&aid=1", ""), ("/?handler=Stop&aid=1", ""), ("/?handler=Rename&aid=1", "name=pwned"),
                     ("/app/1?handler=StopService&sid=1", ""), ("/app/1?handler=RemoveService&sid=1", ""), ("/app/1?handler=RenameService&sid=1", "name=pwned"),
                     ("/app/1/service/1?handler=AddNodes", "count=3"), ("/app/1?handler=AddService", "type=helloworld"),
                     ("/app/1/service/1?handler=Start", ""), ("/app/1/service/1?handler=EnableCode&version=code-default", ""),
                     ("/app/1/service/1?handler=Execute", "command=run"), ("/app/1/service/1?handler=UploadKey", "key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB eve"),
                     ("/app/1/service/1?handler=CreateVolume", "name=v&size=8&agent=x"), ("/app/1?handler=Stop", ""),
                     ("/app/1/service/1?handler=SetPassword", "password=pwned-pass&again=pwned-pass"),
                 })
        {
            await page.GotoAsync("/");
            await SubmitAsync(page, action, fields);
            await Expect(page.Locator(".problem").First).ToBeVisibleAsync();
        }

        var list = await sandbox.CpsToolsOkAsync("application", "list");
        Assert.Contains("secret-app", list);
        Assert.Contains("RUNNING", list);
        var services = await sandbox.CpsToolsOkAsync("service", "list", "1");

        Assert.DoesNotContain("pwned", services + list);
        Assert.Single(services.Split('\n').Skip(1), l => l.Contains("helloworld"));
    }

    /// <summary>Posts a form built in the page with the page's own anti-forgery token, as a forged link or script would.</summary>
    private static async Task SubmitAsync(IPage page, string action, string fields)
    {
        await page.EvaluateAsync("""
            ([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                const token = document.querySelector("input[name=__RequestVerificationToken]").cloneNode();
                form.appendChild(token);
                for (const pair of fields.split("&").filter(p => p)) {
                    const [name, value] = pair.split("=");
                    const input = document.createElement("input");
                    input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }
            """, new[] { action, fields });
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.WaitForSelectorAsync(".problem, .notice");
    }
}
