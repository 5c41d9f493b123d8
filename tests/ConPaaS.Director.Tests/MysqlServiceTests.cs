using System.Text.RegularExpressions;
using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>
/// mysql with Debian's MariaDB, Galera and HAProxy on the local driver, driven by the real cps-tools and judged by
/// the mariadb client (an oracle we did not write) connecting as mysqldb over TCP, as a user would: the password
/// reset, a row written on one node read on the others, a third node joining with the data, a node's MariaDB killed
/// and the cluster still taking writes, a dump loaded and downloaded back, a glb in front, an oversized dump refused.
/// </summary>
public sealed class MysqlServiceTests
{
    private const string Password = "s3cret-'quoted\\pass";

    [Fact]
    public async Task Mysql_replicates_across_nodes_takes_dumps_survives_a_killed_node_and_balances_through_a_glb()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("store");
        await sandbox.CpsToolsOkAsync("mysql", "add", "1");
        Assert.Equal("Service 1 is starting... done.\n", await sandbox.CpsToolsOkAsync("mysql", "start", "1", "1"));
        var connect = Regex.Match(await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"), @"connect: (mysql -h (\S+) -P 3306 -u mysqldb -p)\n");
        Assert.True(connect.Success, "get_state shows no connection command");
        var first = connect.Groups[2].Value;

        // The random password is nobody's: it must be reset first.
        Assert.False((await MariadbAsync(first, "SELECT 1", "wrong-password")).Succeeded);
        Assert.Equal("Password updated successfully\n", await sandbox.CpsToolsOkAsync("mysql", "set_password", "1", "1", Password));
        await MariadbOkAsync(first, "CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name TEXT); INSERT INTO shop.items VALUES (1, 'first');");

        await sandbox.CpsToolsOkAsync("mysql", "add_nodes", "1", "1", "--mysql", "2");
        var nodes = await NodesAsync(sandbox);
        Assert.Equal(3, nodes.Count);
        Assert.Equal("first", await MariadbOkAsync(nodes[2].Ip, "SELECT name FROM shop.items WHERE id = 1"));
        await MariadbOkAsync(nodes[1].Ip, "INSERT INTO shop.items VALUES (2, 'second')");
        Assert.Equal("second", await MariadbOkAsync(nodes[0].Ip, "SELECT name FROM shop.items WHERE id = 2"));
        Assert.Equal("3", await MariadbOkAsync(nodes[0].Ip, "SHOW STATUS LIKE 'wsrep_cluster_size'", column: 2));

        // One node's MariaDB dies: the other two drop it and go on taking writes.
        var killed = sandbox.NodeProcesses(nodes[2].Id, "mariadbd");
        Assert.Single(killed);
        HostTool.Run("kill", "-9", killed[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await MariadbOkAsync(nodes[1].Ip, "INSERT INTO shop.items VALUES (3, 'after the failure')");
        Assert.Equal("after the failure", await MariadbOkAsync(nodes[0].Ip, "SELECT name FROM shop.items WHERE id = 3"));
        // The others drop it when Galera's group communication gives up on it: at once when its sockets close first,
        // else after evs.suspect_timeout (5 s); a write can commit before that (a CI run read 3 here).
        var clusterSize = "";
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30) && clusterSize != "2"; await Task.Delay(200))
            clusterSize = await MariadbOkAsync(nodes[0].Ip, "SHOW STATUS LIKE 'wsrep_cluster_size'", column: 2);
        Assert.Equal("2", clusterSize);

        // A dump in, and the users' databases out again.
        var dump = Path.Combine(sandbox.Home, "library.sql");
        File.WriteAllText(dump, "CREATE DATABASE library;\nUSE library;\nCREATE TABLE books (id INT PRIMARY KEY, title TEXT);\nINSERT INTO books VALUES (1, 'Dune'), (2, 'Emma');\n");
        Assert.Equal("library.sql loaded\n", await sandbox.CpsToolsOkAsync("mysql", "load_dump", "1", "1", dump));
        Assert.Equal("Emma", await MariadbOkAsync(nodes[1].Ip, "SELECT title FROM library.books WHERE id = 2"));
        var downloaded = Path.Combine(sandbox.Home, "back.sql");
        Assert.Equal($"dump written to {downloaded}\n", await sandbox.CpsToolsOkAsync("mysql", "dump", "1", "1", downloaded));
        var text = File.ReadAllText(downloaded);
        Assert.Contains("INSERT INTO `books` VALUES", text);
        Assert.Contains("(2,'Emma')", text);
        Assert.Contains("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop`", text);
        Assert.DoesNotContain("`mysql`", text);

        var stats = await sandbox.CpsToolsOkAsync("mysql", "get_stats", "1", "1");
        Assert.Matches(@"queries per second: [\d.]+\n", stats);
        Assert.Matches(@"receive queue average: [\d.]+\n", stats);
        Assert.Contains(nodes[0].Ip, stats);

        // A glb in front: get_state's command now names it, and queries through it reach the cluster.
        await sandbox.CpsToolsOkAsync("mysql", "add_nodes", "1", "1", "--glb", "1", "--cloud", "default");
        var glb = Regex.Match(await sandbox.CpsToolsOkAsync("service", "get_state", "1", "1"), @"connect: mysql -h (\S+) -P 3306").Groups[1].Value;
        Assert.DoesNotContain(glb, nodes.Select(n => n.Ip));
        Assert.Equal("Dune", await MariadbOkAsync(glb, "SELECT title FROM library.books WHERE id = 1"));

        var huge = Path.Combine(sandbox.Home, "huge.sql");
        await using (var file = File.Create(huge)) file.SetLength(33L << 20);
        var refused = await sandbox.CpsToolsAsync("mysql", "load_dump", "1", "1", huge);
        Assert.StartsWith("ERROR: the dump is 33 MiB; at most 32 MiB is loaded this way. Load larger dumps with the mysql client: mysql -h ", refused.StandardError);
    }

    private sealed record Node(string Id, string Ip);

    /// <summary>The database nodes in the order they came, from list_nodes' rows (aid sid role ip agent_id cloud state).</summary>
    private static async Task<List<Node>> NodesAsync(Sandbox sandbox)
    {
        var listed = await sandbox.CpsToolsOkAsync("mysql", "list_nodes", "1", "1");
        return [.. listed.Split('\n').Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 7 && f[2] == "mysql").Select(f => new Node(f[4], f[3])).OrderBy(n => n.Id.Length).ThenBy(n => n.Id, StringComparer.Ordinal)];
    }

    private static Task<CommandResult> MariadbAsync(string host, string sql, string password = Password) =>
        new Command("mariadb", "-h", host, "-P", "3306", "-u", "mysqldb", "--connect-timeout=10", "--batch", "--skip-column-names", "-e", sql)
            .WithEnvironment("MYSQL_PWD", password).RunAsync(CancellationToken.None, allowFailure: true);

    private static async Task<string> MariadbOkAsync(string host, string sql, int column = 1)
    {
        var result = await MariadbAsync(host, sql);
        Assert.True(result.Succeeded, $"mariadb -h {host} -e \"{sql}\": {result.StandardError}");
        return result.StandardOutput.Trim().Split('\t').ElementAtOrDefault(column - 1) ?? "";
    }
}
