using System.IO.Compression;
using System.Text.RegularExpressions;
using static ConPaaS.Director.Tests.WebChecks;

namespace ConPaaS.Director.Tests;

/// <summary>
/// java with Debian's Tomcat and nginx on the local driver, driven by the real cps-tools and judged with curl: the
/// default JSP, an uploaded .war's JSP and static file through the proxy, its WEB-INF never served, a new .war
/// switched while a client requests in a loop, a second backend taking the role off the first agent, and a .war
/// that is not a zip refused.
/// </summary>
public sealed class JavaServiceTests
{
    [Fact]
    public async Task Java_serves_uploaded_wars_through_the_proxy_and_switches_them_without_failing_a_request()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("shop");
        await sandbox.CpsToolsOkAsync("java", "add", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("java", "start", "1", "1"));
        var url = (await sandbox.CpsToolsOkAsync("java", "get_url", "1", "1")).Trim();
        Assert.Matches(@"^http://127\.\d+\.\d+\.\d+:(80|8080)/$", url);
        Assert.Contains("Apache Tomcat/10", await CurlAsync(url));
        Assert.Contains($"url: {url}", await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"));

        var version1 = await UploadWarAsync(sandbox, "v1");
        Assert.Equal($"{version1} enabled\n", await sandbox.CpsToolsOkAsync("java", "enable_code", "1", "1", version1));
        Assert.Matches(@"^v1 backend 127\.[\d.]+$", (await CurlAsync(url)).Trim());
        Assert.Equal("static v1\n", await CurlAsync(url + "hello.txt"));
        Assert.Equal("404", await CurlAsync(url + "WEB-INF/web.xml", statusOnly: true));

        var version2 = await UploadWarAsync(sandbox, "v2");
        var (seen, failures) = await RequestedThroughAsync(url + "hello.jsp", () => sandbox.CpsToolsOkAsync("java", "enable_code", "1", "1", version2));
        Assert.Empty(failures);
        Assert.Equal("hello v1", seen[0]);
        Assert.Equal("hello v2", seen[^1]);
        Assert.True(seen.Count > 20, $"only {seen.Count} requests were made");

        // A second backend: the first agent gives its backend role up; the new agent's Tomcat serves v2.
        await sandbox.CpsToolsOkAsync("java", "add_nodes", "1", "1", "--backend", "1");
        var nodes = await sandbox.CpsToolsOkAsync("java", "list_nodes", "1", "1");
        Assert.Contains(" proxy,web ", nodes);
        Assert.Single(Regex.Matches(nodes, " backend "));
        Assert.Matches(@"^v2 backend 127\.[\d.]+$", (await CurlAsync(url)).Trim());

        // A .war whose web.xml Tomcat cannot parse: refused when enabled, and v2 goes on serving.
        var broken = await UploadWarAsync(sandbox, "v3", webXml: "<web-app><unclosed");
        var failed = await sandbox.CpsToolsAsync("java", "enable_code", "1", "1", broken);
        Assert.Contains("the web application failed to start in Tomcat", failed.StandardError);
        Assert.Matches(@"^v2 backend 127\.[\d.]+$", (await CurlAsync(url)).Trim());

        var notAWar = Path.Combine(sandbox.Home, "broken.war");
        File.WriteAllText(notAWar, "<html>not a web archive</html>");
        var refused = await sandbox.CpsToolsAsync("java", "upload_code", "1", "1", notAWar);
        Assert.Equal("ERROR: broken.war refused: the archive is not tar, tar.gz, tar.bz2 or zip\n", refused.StandardError);
    }

    [Fact]
    public async Task A_service_numbered_like_a_removed_one_starts_with_nothing_of_it()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("reuse");
        await sandbox.CpsToolsOkAsync("php", "add", "1");
        var php = await UploadWarAsync(sandbox, "php-era", type: "php"); // any zip is a code version
        await sandbox.CpsToolsOkAsync("service", "remove", "1", "1");
        Assert.Contains("with id 1.", await sandbox.CpsToolsOkAsync("java", "add", "1"));
        var codes = await sandbox.CpsToolsOkAsync("java", "list_codes", "1", "1");
        Assert.DoesNotContain(php, codes);
        await sandbox.CpsToolsOkAsync("java", "start", "1", "1");
        Assert.Contains("Apache Tomcat/10", await CurlAsync((await sandbox.CpsToolsOkAsync("java", "get_url", "1", "1")).Trim()));
    }

    /// <summary>A .war (a zip, written here; Tomcat is the oracle) whose JSPs say their version and the backend.</summary>
    private static async Task<string> UploadWarAsync(Sandbox sandbox, string version, string type = "java", string? webXml = null)
    {
        var war = Path.Combine(sandbox.Home, $"shop-{version}.war");
        using (var zip = ZipFile.Open(war, ZipArchiveMode.Create))
        {
            void Add(string name, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
            Add("index.jsp", $"<%@ page session=\"false\" %>{version} backend <%= request.getLocalAddr() %>");
            Add("hello.jsp", $"<%@ page session=\"false\" %>hello {version}");
            Add("hello.txt", $"static {version}\n");
            Add("WEB-INF/web.xml", webXml ?? """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"><display-name>shop</display-name></web-app>
                """);
        }
        var uploaded = await sandbox.CpsToolsOkAsync(type, "upload_code", "1", "1", war);
        return Regex.Match(uploaded, @"code-\w{6}").Value;
    }
}
