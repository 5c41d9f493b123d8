using System.Text.RegularExpressions;
using ConPaaS.Processes;
using static ConPaaS.Director.Tests.WebChecks;

namespace ConPaaS.Director.Tests;

/// <summary>
/// The seeds' "Tutorial: hosting WordPress in ConPaaS", step by step, with the WordPress Debian packages (no download
/// from the internet): a MySQL service started and its password reset; a PHP service started; WordPress's
/// wp-config-sample.php made wp-config.php pointing at the database; the tarball uploaded and made active; the
/// database created with the connection command the service shows; the install form posted; the blog's first post
/// served through the proxy; then a backend added and the blog still served, now by the new backend.
/// </summary>
public sealed class WordPressTutorialTests
{
    private const string WordPress = "/usr/share/wordpress";
    private const string DatabasePassword = "tutorial-password";

    [Fact]
    public async Task WordPress_is_installed_and_served_on_a_php_and_a_mysql_service_as_the_tutorial_says()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("blog");
        // 2. A MySQL service, started, its password reset; the host of its connection command noted.
        await sandbox.CpsToolsOkAsync("mysql", "add", "1");
        await sandbox.CpsToolsOkAsync("mysql", "start", "1", "1");
        await sandbox.CpsToolsOkAsync("mysql", "set_password", "1", "1", DatabasePassword);
        var database = Regex.Match(await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"), @"connect: mysql -h (\S+) -P 3306").Groups[1].Value;
        // 3. A PHP service, started.
        await sandbox.CpsToolsOkAsync("php", "add", "1");
        await sandbox.CpsToolsOkAsync("php", "start", "1", "2");
        var url = (await sandbox.CpsToolsOkAsync("php", "get_url", "1", "2")).Trim();

        // 4-6. WordPress expanded, wp-config.php from the sample, a tarball that expands in the current directory.
        var site = Path.Combine(sandbox.Home, "wordpress");
        HostTool.Run("cp", "-rL", WordPress, site);
        File.Delete(Path.Combine(site, ".htaccess")); // Debian's link into /etc
        var config = File.ReadAllText(Path.Combine(site, "wp-config-sample.php"))
            .Replace("database_name_here", "wordpress").Replace("username_here", "mysqldb")
            .Replace("password_here", DatabasePassword).Replace("'localhost'", $"'{database}'");
        // This machine must send nothing to the internet: WordPress's update checks and cron stay off.
        config = config.Replace("/* That's all, stop editing!", "define( 'WP_HTTP_BLOCK_EXTERNAL', true );\ndefine( 'DISABLE_WP_CRON', true );\ndefine( 'AUTOMATIC_UPDATER_DISABLED', true );\n/* That's all, stop editing!");
        File.WriteAllText(Path.Combine(site, "wp-config.php"), config);
        File.WriteAllText(Path.Combine(site, "backend.php"), "<?php echo $_SERVER['SERVER_ADDR'];"); // which backend answered
        var tarball = Path.Combine(sandbox.Home, "wordpress.tar.gz");
        HostTool.Run("tar", "-C", site, "-czf", tarball, ".");
        var version = Regex.Match(await sandbox.CpsToolsOkAsync("php", "upload_code", "1", "2", tarball), @"code-\w{6}").Value;
        await sandbox.CpsToolsOkAsync("php", "enable_code", "1", "2", version);

        // 7. The database, created with the mysql client through the service's connection command.
        var created = await new Command("mariadb", "-h", database, "-P", "3306", "-u", "mysqldb", "-e", "CREATE DATABASE wordpress;")
            .WithEnvironment("MYSQL_PWD", DatabasePassword).RunAsync(CancellationToken.None, allowFailure: true);
        Assert.True(created.Succeeded, created.StandardError);

        // 8. wp-admin/install.php filled in and posted.
        var installed = await new Command("curl", "-sS", "--max-time", "60", url + "wp-admin/install.php?step=2",
            "--data-urlencode", "weblog_title=ConPaaS Blog", "--data-urlencode", "user_name=admin",
            "--data-urlencode", "admin_password=correct horse battery staple", "--data-urlencode", "admin_password2=correct horse battery staple",
            "--data-urlencode", "pw_weak=1", "--data-urlencode", "admin_email=admin@example.org", "--data-urlencode", "blog_public=0").RunAsync(CancellationToken.None);
        Assert.Contains("Success!", installed.StandardOutput);

        // 9. The blog and its first post, through the proxy.
        var home = await CurlAsync(url);
        Assert.Contains("ConPaaS Blog", home);
        Assert.Contains("Hello world!", home);

        // Scaled up: the new backend takes the backend role and serves the blog from the same database.
        await sandbox.CpsToolsOkAsync("php", "add_nodes", "1", "2", "--backend", "1");
        var nodes = await sandbox.CpsToolsOkAsync("php", "list_nodes", "1", "2");
        Assert.Contains(" proxy,web ", nodes);
        var backend = Regex.Match(nodes, @" backend +(\S+) ").Groups[1].Value;
        Assert.NotEqual(new Uri(url).Host, backend);
        Assert.Equal(backend, (await CurlAsync(url + "backend.php")).Trim());
        Assert.Contains("Hello world!", await CurlAsync(url + "?p=1"));
        Assert.Contains("Hello world!", await CurlAsync(url));
    }
}
