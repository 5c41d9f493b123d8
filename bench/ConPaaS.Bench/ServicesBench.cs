using System.Diagnostics;
using System.Text.RegularExpressions;
using ConPaaS.Processes;

namespace ConPaaS.Bench;

/// <summary>
/// The services on the local driver: for php, java and mysql the time from `service start` to the first successful
/// request (a page through the proxy; for mysql a query as mysqldb, its password set first, as a user must); then,
/// for php, requests per second and p99 through the proxy (a static file and a PHP page) with one backend and with
/// two, each beside the same files served directly by a backend's own nginx (no proxy hop) in the same run.
/// </summary>
internal static class ServicesBench
{
    private const int Clients = 16;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(4);
    private const double RatioTarget = 0.5;
    private const double StartTargetSeconds = 5;

    public static async Task<int> RunAsync(string bin)
    {
        var state = Path.Combine(Path.GetTempPath(), $"cps-php-bench-{Environment.ProcessId}");
        var home = Path.Combine(state, "home");
        Directory.CreateDirectory(home);
        try
        {
            var port = ConPaaS.Common.LoopbackPort.FindFree();
            using var director = BackgroundProcess.Start(new Command(Path.Combine(bin, "cpsdirector"), "sandbox", Path.Combine(state, "sandbox"),
                "--port", port.ToString(), "--subnet", "127.204.7.0/24").Contained(), Path.Combine(state, "director.log"));
            async Task<string> Tool(params string[] arguments) =>
                (await new Command(Path.Combine(bin, "cps-tools"), ["--conf_file", Path.Combine(state, "sandbox", "cps-tools.conf"), .. arguments])
                    .WithEnvironment("HOME", home).RunAsync(CancellationToken.None)).StandardOutput;
            await DirectorBench.WaitAsync(new Uri($"https://127.0.0.1:{port}/version"));
            await Tool("user", "get_certificate");
            await Tool("application", "create", "bench");
            await Tool("application", "start", "1");
            await Tool("php", "add", "1");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            await Tool("php", "start", "1", "1");
            var url = (await Tool("php", "get_url", "1", "1")).Trim();
            while (!(await TryGetAsync(http, url)).Contains("Welcome to ConPaaS")) await Task.Delay(20);
            var starts = new List<(string Type, double Seconds)> { ("php", clock.Elapsed.TotalSeconds) };

            await Tool("java", "add", "1");
            clock.Restart();
            await Tool("java", "start", "1", "2");
            var javaUrl = (await Tool("java", "get_url", "1", "2")).Trim();
            while (!(await TryGetAsync(http, javaUrl)).Contains("Welcome to ConPaaS")) await Task.Delay(20);
            starts.Add(("java", clock.Elapsed.TotalSeconds));

            await Tool("mysql", "add", "1");
            clock.Restart();
            await Tool("mysql", "start", "1", "3");
            await Tool("mysql", "set_password", "1", "3", "bench-password");
            var database = Regex.Match(await Tool("service", "get_state", "1", "3"), @"connect: mysql -h (\S+)").Groups[1].Value;
            while (!(await new Command("mariadb", "-h", database, "-u", "mysqldb", "-e", "SELECT 1").WithEnvironment("MYSQL_PWD", "bench-password")
                       .RunAsync(CancellationToken.None, allowFailure: true)).Succeeded)
                await Task.Delay(20);
            starts.Add(("mysql", clock.Elapsed.TotalSeconds));
            await Tool("service", "remove", "1", "2");
            await Tool("service", "remove", "1", "3");

            var site = Path.Combine(home, "site");
            Directory.CreateDirectory(site);
            File.WriteAllText(Path.Combine(site, "static.html"), new string('x', 1024));
            File.WriteAllText(Path.Combine(site, "page.php"), "<?php echo 'page ', str_repeat('y', 1000);");
            HostTool("tar", "-C", site, "-czf", Path.Combine(home, "site.tar.gz"), ".");
            var version = Regex.Match(await Tool("php", "upload_code", "1", "1", Path.Combine(home, "site.tar.gz")), @"code-\w{6}").Value;
            await Tool("php", "enable_code", "1", "1", version);

            var first = new Uri(url).Host;
            var rows = new List<string>();
            async Task MeasureAsync(string label, IReadOnlyList<string> directBackends)
            {
                foreach (var file in new[] { "static.html", "page.php" })
                {
                    var proxied = await LoadAsync([url + file]);
                    var direct = await LoadAsync([.. directBackends.Select(b => $"http://{b}:8082/{file}")]);
                    var ratio = proxied.RequestsPerSecond / direct.RequestsPerSecond;
                    rows.Add($"  {label,-11} {file,-12} proxy {proxied}; nginx direct {direct}; ratio {ratio:0.00} {(ratio >= RatioTarget ? "MET" : "MISSED")}");
                }
            }
            await MeasureAsync("1 backend", [first]);
            await Tool("php", "add_nodes", "1", "1", "--backend", "2");
            var backends = Regex.Matches(await Tool("php", "list_nodes", "1", "1"), @" backend +(127\.[\d.]+)").Select(m => m.Groups[1].Value).ToList();
            await MeasureAsync("2 backends", backends);

            Console.WriteLine();
            Console.WriteLine($"BENCH services: local driver, real nginx/php-fpm/memcached, Tomcat, MariaDB Galera; {Clients} clients, {Measure.TotalSeconds:0} s each, {Environment.ProcessorCount} cores");
            foreach (var (type, seconds) in starts)
                Console.WriteLine($"  {type,-5} service start to the first successful request: {seconds:0.00} s (target <= {StartTargetSeconds} s) {(seconds <= StartTargetSeconds ? "MET" : "MISSED")}");
            rows.ForEach(Console.WriteLine);
            Console.WriteLine($"  target: through the proxy at least {RatioTarget} of nginx serving directly");
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>Clients each on their own keep-alive connection, spread over <paramref name="urls"/>.</summary>
    private static Task<LoadResult> LoadAsync(IReadOnlyList<string> urls) =>
        LoadGenerator.RunAsync([.. Enumerable.Range(0, Clients).Select(i => (new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }), urls[i % urls.Count]))], Warmup, Measure);

    private static async Task<string> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private static void HostTool(string tool, params string[] arguments) =>
        new Command(tool, arguments).RunAsync(CancellationToken.None).GetAwaiter().GetResult();
}
