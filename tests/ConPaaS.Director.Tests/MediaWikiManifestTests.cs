using System.Net;
using System.Text.RegularExpressions;
using ConPaaS.Processes;
using static ConPaaS.Director.Tests.WebChecks;

namespace ConPaaS.Director.Tests;

/// <summary>
/// The seeds' MediaWiki manifest as written but for its XtreemFS service (not packaged in Debian, so not offered) and
/// with its files served over plain http from this machine's loopback instead of online.conpaas.eu: a php service
/// from an Archive, a mysql service given its Password and a Dump, no Application name (a default is chosen).
/// </summary>
public sealed class MediaWikiManifestTests
{
    [Fact]
    public async Task The_mediawiki_manifest_deploys_php_with_its_archive_and_mysql_with_its_password_and_dump_over_plain_http()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        var source = Path.Combine(sandbox.Home, "wiki");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "index.php"), "<?php echo 'wiki served by ', $_SERVER['SERVER_ADDR'];");
        var files = new Dictionary<string, byte[]>
        {
            ["/mediawiki/mediawiki.sql"] = "CREATE DATABASE wiki;\nCREATE TABLE wiki.page (id INT PRIMARY KEY, title TEXT);\nINSERT INTO wiki.page VALUES (1, 'Main Page');\n"u8.ToArray(),
        };
        var tarball = Path.Combine(sandbox.Home, "mediawiki.tar.gz");
        HostTool.Run("tar", "-C", source, "-czf", tarball, ".");
        files["/mediawiki/mediawiki.tar.gz"] = File.ReadAllBytes(tarball);

        var port = Common.LoopbackPort.FindFree();
        using var server = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        server.Start();
        var serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                HttpListenerContext request;
                try { request = await server.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                var found = files.TryGetValue(request.Request.Url!.AbsolutePath, out var body);
                request.Response.StatusCode = found ? 200 : 404;
                if (found) await request.Response.OutputStream.WriteAsync(body);
                request.Response.Close();
            }
        });

        var manifest = Path.Combine(sandbox.Home, "mediawiki.mnf");
        File.WriteAllText(manifest, $$"""
            {
                "Services": [
                    {
                        "Type": "php",
                        "ServiceName": "PHP service",
                        "Start": 1,
                        "Archive": "http://127.0.0.1:{{port}}/mediawiki/mediawiki.tar.gz"
                    },
                    {
                        "Type": "mysql",
                        "ServiceName": "MySQL service",
                        "Start": 1,
                        "Dump": "http://127.0.0.1:{{port}}/mediawiki/mediawiki.sql",
                        "Password": "contrail123"
                    }
                ]
            }
            """);
        Assert.Equal("Application 'New application' created with id 1.\n", await sandbox.CpsToolsOkAsync("application", "manifest", manifest));
        string log = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && !log.Contains("the manifest is deployed") && !log.Contains("failed"); await Task.Delay(250))
            log = (await sandbox.CpsToolsAsync("application", "get_log", "1")).StandardOutput;
        Assert.Contains("the manifest is deployed", log);

        var url = (await sandbox.CpsToolsOkAsync("php", "get_url", "1", "1")).Trim();
        Assert.StartsWith("wiki served by 127.", await CurlAsync(url));
        var host = Regex.Match(await sandbox.CpsToolsOkAsync("service", "get_state", "1", "2"), @"connect: mysql -h (\S+) ").Groups[1].Value;
        var query = await new Command("mariadb", "-h", host, "-u", "mysqldb", "--batch", "--skip-column-names", "-e", "SELECT title FROM wiki.page")
            .WithEnvironment("MYSQL_PWD", "contrail123").RunAsync(CancellationToken.None, allowFailure: true);
        Assert.Equal("Main Page", query.StandardOutput.Trim());
        server.Stop();
        await serving;
    }
}
