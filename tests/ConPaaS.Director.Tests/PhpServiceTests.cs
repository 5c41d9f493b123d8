using System.Text.RegularExpressions;
using static ConPaaS.Director.Tests.WebChecks;
using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>
/// php with real nginx, php-fpm and memcached from Debian on the local driver, driven by the real cps-tools and
/// judged with curl: a page that says which backend answered and counts the session's requests, through the proxy
/// across two backends; a code version switched while a client requests in a loop; the backend role moving off the
/// first agent and back; a hostile archive refused.
/// </summary>
public sealed class PhpServiceTests
{
    [Fact]
    public async Task Php_serves_through_the_proxy_across_backends_with_shared_sessions_and_switches_code_without_failing_a_request()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("web");
        await sandbox.CpsToolsOkAsync("php", "add", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("php", "start", "1", "1"));
        var url = (await sandbox.CpsToolsOkAsync("php", "get_url", "1", "1")).Trim();
        Assert.Matches(@"^http://127\.\d+\.\d+\.\d+:(80|8080)/$", url);
        Assert.Contains("Welcome to ConPaaS", await CurlAsync(url));
        Assert.Contains(" proxy,web,backend ", await sandbox.CpsToolsOkAsync("php", "list_nodes", "1", "1"));

        var version1 = await UploadAsync(sandbox, "v1");
        Assert.Equal($"{version1} enabled\n", await sandbox.CpsToolsOkAsync("php", "enable_code", "1", "1", version1));
        var jar = Path.Combine(sandbox.Home, "cookies");
        Assert.Matches(@"^v1 backend 127\.[\d.]+ count 1$", await CurlAsync(url, jar));
        Assert.Matches(@"^v1 backend 127\.[\d.]+ count 2$", await CurlAsync(url, jar));
        Assert.Equal("static v1\n", await CurlAsync(url + "hello.txt"));
        Assert.Equal("403", await CurlAsync(url.Replace(":8080/", ":8081/").Replace(":80/", ":8081/") + "index.php", statusOnly: true));

        // Two more backends: the first agent gives its backend role up, requests alternate, the session carries on.
        await sandbox.CpsToolsOkAsync("php", "add_nodes", "1", "1", "--backend", "2");
        var nodes = await sandbox.CpsToolsOkAsync("php", "list_nodes", "1", "1");
        Assert.Contains(" proxy,web ", nodes);
        Assert.Equal(2, Regex.Matches(nodes, " backend ").Count);
        var answers = new List<string>();
        for (var i = 0; i < 6; i++) answers.Add((await CurlAsync(url, jar)).Trim());
        Assert.Equal(Enumerable.Range(3, 6).Select(n => $"count {n}"), answers.Select(a => a[a.IndexOf("count", StringComparison.Ordinal)..]));
        Assert.Equal(2, answers.Select(a => a.Split(' ')[2]).Distinct().Count());

        // A new version while a client requests without pause: every request answered, by v1 and then by v2.
        var version2 = await UploadAsync(sandbox, "v2");
        var (seen, failures) = await WebChecks.RequestedThroughAsync(url + "hello.php",
            () => sandbox.CpsToolsOkAsync("php", "enable_code", "1", "1", version2));
        Assert.Empty(failures);
        Assert.Equal("hello v1", seen.First());
        Assert.Equal("hello v2", seen.Last());
        Assert.True(seen.Count > 20, $"only {seen.Count} requests were made");

        // The extra backends go: the first agent is a backend again and serves alone.
        await sandbox.CpsToolsOkAsync("php", "remove_nodes", "1", "1", "--backend", "2");
        Assert.Contains(" proxy,web,backend ", await sandbox.CpsToolsOkAsync("php", "list_nodes", "1", "1"));
        Assert.StartsWith("v2 backend", await CurlAsync(url, jar));

        var evil = Path.Combine(sandbox.Home, "evil.tar");
        File.WriteAllText(Path.Combine(sandbox.Home, "payload"), "x");
        HostTool.Run("tar", "-C", sandbox.Home, "--transform", "s,^,../../../,", "-cf", evil, "payload");
        var refused = await sandbox.CpsToolsAsync("php", "upload_code", "1", "1", evil);
        Assert.Equal("ERROR: evil.tar refused: '../../../payload' climbs out of the archive with '..'\n", refused.StandardError);
    }

    [Fact]
    public async Task A_manifest_deploys_php_with_its_archive_and_the_seeds_role_counts_written_as_strings()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var source = Path.Combine(sandbox.Home, "site");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "index.php"), "<?php echo 'sudoku from ', $_SERVER['SERVER_ADDR'];");
        HostTool.Run("tar", "-C", source, "-czf", Path.Combine(sandbox.Home, "sudoku.tar.gz"), ".");
        var manifest = Path.Combine(sandbox.Home, "sudoku.json");
        File.WriteAllText(manifest, """
            { "Application": "Sudoku", "Services": [ { "ServiceName": "sudoku", "Type": "php", "Archive": "sudoku.tar.gz",
              "Start": 1, "StartupInstances": { "proxy": "1", "web": "1", "backend": "2" } } ] }
            """);
        Assert.Equal("Application 'Sudoku' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));

        string nodes = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            var listed = await sandbox.CpsToolsAsync("php", "list_nodes", "1", "1");
            if (listed.Succeeded && Regex.Matches(nodes = listed.StandardOutput, " backend ").Count == 2 && nodes.Contains(" proxy,web ")) break;
        }
        Assert.Equal(2, Regex.Matches(nodes, " backend ").Count);
        Assert.Contains(" proxy,web ", nodes);
        string served = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline && !served.StartsWith("sudoku"); await Task.Delay(250))
            if ((await sandbox.CpsToolsAsync("php", "get_url", "1", "1")) is { Succeeded: true } url) served = await CurlAsync(url.StandardOutput.Trim());
        Assert.StartsWith("sudoku from 127.", served);
    }

    /// <summary>A code version whose index.php says its version, which backend answered and the session's count.</summary>
    private static async Task<string> UploadAsync(Sandbox sandbox, string version)
    {
        var source = Path.Combine(sandbox.Home, "site-" + version);
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "index.php"),
            $"<?php session_start(); $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1; echo '{version} backend ', $_SERVER['SERVER_ADDR'], ' count ', $_SESSION['n'];");
        File.WriteAllText(Path.Combine(source, "hello.php"), $"<?php echo 'hello {version}';");
        File.WriteAllText(Path.Combine(source, "hello.txt"), $"static {version}\n");
        var archive = Path.Combine(sandbox.Home, $"site-{version}.tar.gz");
        HostTool.Run("tar", "-C", source, "-czf", archive, ".");
        var uploaded = await sandbox.CpsToolsOkAsync("php", "upload_code", "1", "1", archive);
        return Regex.Match(uploaded, @"code-\w{6}").Value;
    }
}
