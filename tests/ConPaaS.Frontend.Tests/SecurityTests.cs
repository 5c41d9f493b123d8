using System.IO.Compression;
using ConPaaS.Processes;
using static Microsoft.Playwright.Assertions;

namespace ConPaaS.Frontend.Tests;

/// <summary>
/// What the frontend promises a user's browser, checked with curl and openssl (oracles we did not write) and
/// Chromium: a certificate from the deployment's CA, secure cookies, a content security policy, anti-forgery tokens,
/// bounded uploads, and the user's own certificates as certs.zip.
/// </summary>
public sealed class SecurityTests
{
    [Fact]
    public async Task The_frontend_keeps_its_promises_to_the_browser()
    {
        await using var sandbox = await Sandbox.StartAsync(withFrontend: true);
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var ca = Path.Combine(sandbox.Directory, "certs", "ca_cert.pem");

        // TLS: curl checks the chain against the deployment's CA and the name 127.0.0.1.
        var headers = await CurlAsync("--cacert", ca, "-sS", "-D", "-", "-o", "/dev/null", new Uri(sandbox.FrontendUrl, "/login").ToString());
        Assert.Contains("content-security-policy: default-src 'none'; script-src 'self'", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-frame-options: DENY", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("__Host-conpaas-af=", headers); // the anti-forgery cookie
        Assert.Matches("(?i)set-cookie: __Host-conpaas-af=[^\n]*; secure[^\n]*; samesite=strict; httponly", headers);

        // Without a session: the login page, never data.
        Assert.Equal("401", (await CurlAsync("--cacert", ca, "-s", "-o", "/dev/null", "-w", "%{http_code}", new Uri(sandbox.FrontendUrl, "/live").ToString())).Trim());
        Assert.Contains("/login", await CurlAsync("--cacert", ca, "-s", "-o", "/dev/null", "-w", "%{redirect_url}", new Uri(sandbox.FrontendUrl, "/app/1").ToString()));

        await using var browser = await BrowserSession.StartAsync(sandbox.FrontendUrl, "security");
        await browser.LoginAsync(Sandbox.User, Sandbox.Password);
        var session = (await browser.Context.CookiesAsync()).Single(c => c.Name == "__Host-conpaas-session");
        Assert.True(session.Secure && session.HttpOnly);
        Assert.Equal(Microsoft.Playwright.SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/", session.Path);
        var cookie = $"__Host-conpaas-session={session.Value}";

        // A state-changing request without the anti-forgery token is refused, whoever's cookie it carries.
        var forged = await CurlAsync("--cacert", ca, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"Cookie: {cookie}",
            "--data", "name=forged", new Uri(sandbox.FrontendUrl, "/?handler=Create").ToString());
        Assert.Equal("400", forged.Trim());
        Assert.DoesNotContain("forged", await sandbox.CpsToolsOkAsync("application", "list"));

        // An upload over the limit (100 MB) is refused before it is read, with the sizes in words.
        var large = Path.Combine(sandbox.Home, "large.bin");
        using (var file = File.Create(large)) file.SetLength(101L * 1024 * 1024);
        var refused = await CurlAsync("--cacert", ca, "-s", "-w", "\n%{http_code}", "-H", $"Cookie: {cookie}",
            "-F", $"manifest=@{large}", new Uri(sandbox.FrontendUrl, "/?handler=Manifest").ToString());
        Assert.EndsWith("\n413", refused.TrimEnd());
        Assert.Contains("The upload is 101 MB; this frontend takes at most 100 MB", refused);

        // certs.zip: the user's own certificate (openssl reads it), the CA's, and the key that goes with it.
        var download = await browser.Page.RunAndWaitForDownloadAsync(() => browser.Page.ClickAsync("text=certs.zip"));
        var zip = Path.Combine(sandbox.Home, "certs.zip");
        await download.SaveAsAsync(zip);
        var extracted = Path.Combine(sandbox.Home, "certs");
        ZipFile.ExtractToDirectory(zip, extracted);
        var subject = HostTool.Run("openssl", "x509", "-in", Path.Combine(extracted, "cert.pem"), "-noout", "-subject");
        Assert.Contains("CN = test, UID = 1, title = user", subject);
        Assert.EndsWith(": OK", HostTool.Run("openssl", "verify", "-CAfile", ca, Path.Combine(extracted, "cert.pem")).Trim());
        Assert.Equal(HostTool.Run("openssl", "pkey", "-in", Path.Combine(extracted, "key.pem"), "-pubout"),
            HostTool.Run("openssl", "x509", "-in", Path.Combine(extracted, "cert.pem"), "-noout", "-pubkey"));

        // Logout ends the session: the old cookie opens nothing.
        await browser.Page.ClickAsync("button:text-is('Log out')");
        await Expect(browser.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
        Assert.Equal("401", (await CurlAsync("--cacert", ca, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"Cookie: {cookie}", new Uri(sandbox.FrontendUrl, "/live").ToString())).Trim());
    }

    private static async Task<string> CurlAsync(params string[] arguments) =>
        (await new Command("curl", arguments).RunAsync(CancellationToken.None, allowFailure: true)).StandardOutput;
}
