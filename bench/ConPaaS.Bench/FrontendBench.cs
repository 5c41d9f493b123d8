using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Bench;

/// <summary>
/// The frontend's pages for a user with 200 applications of 20 services each: the dashboard (all 200) and one
/// application's page (its 20 services), each asked one after another over one kept-alive TLS connection, and the
/// director's own /listapp for the same user beside them (the baseline: every page asks the director at least that).
/// The rows go into the sandbox's database with sqlite3 while the director is stopped (200 running managers would
/// measure the machine, not the pages).
/// </summary>
internal static class FrontendBench
{
    private const int Applications = 200;
    private const int ServicesEach = 20;
    private const int Warmup = 30;
    private const int Requests = 300;
    private const double P99TargetMs = 100;

    public static async Task<int> RunAsync(string bin)
    {
        var state = Path.Combine(Path.GetTempPath(), $"cps-frontend-bench-{Environment.ProcessId}");
        var sandbox = Path.Combine(state, "sandbox");
        Directory.CreateDirectory(state);
        try
        {
            var directorPort = ConPaaS.Common.LoopbackPort.FindFree();
            var frontendPort = ConPaaS.Common.LoopbackPort.FindFree();
            var command = new Command(Path.Combine(bin, "cpsdirector"), "sandbox", sandbox, "--port", directorPort.ToString(),
                "--subnet", "127.203.7.0/24", "--frontend-port", frontendPort.ToString()).Contained();
            var directorUrl = new Uri($"https://127.0.0.1:{directorPort}");
            var frontendUrl = new Uri($"https://127.0.0.1:{frontendPort}");

            using (var first = BackgroundProcess.Start(command, Path.Combine(state, "director-first.log")))
            {
                await DirectorBench.WaitAsync(new Uri(directorUrl, "/version"));
                await first.KillAsync();
            }
            await new Command("sqlite3", Path.Combine(sandbox, "director.db")) { StandardInput = Encoding.UTF8.GetBytes(Rows()) }.RunAsync(CancellationToken.None);

            using var director = BackgroundProcess.Start(command, Path.Combine(state, "director.log"));
            await DirectorBench.WaitAsync(new Uri(directorUrl, "/version"));
            await DirectorBench.WaitAsync(new Uri(frontendUrl, "/login"));
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(sandbox, "certs", "ca_cert.pem")));

            using var browser = await LogInAsync(frontendUrl);
            using var api = TlsClient.Create(ca, await DirectorBench.UserCertificateAsync(directorUrl, ca), checkHostName: true);
            var listapp = await TimeAsync(api, new Uri(directorUrl, "/listapp"), "\"bench app 200\"");
            var dashboard = await TimeAsync(browser, frontendUrl, ">bench app 200</a>");
            var application = await TimeAsync(browser, new Uri(frontendUrl, "/app/100"), ">service 20</a>");

            var met = dashboard.P99 <= P99TargetMs && application.P99 <= P99TargetMs;
            Console.WriteLine();
            Console.WriteLine($"BENCH frontend-pages: {Applications} applications of {ServicesEach} services, one client, one kept-alive TLS connection, {Requests} requests each after {Warmup}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"  director /listapp (baseline)          {listapp}");
            Console.WriteLine($"  frontend dashboard (/)                {dashboard}   {dashboard.Median / listapp.Median:0.0}x the baseline's median");
            Console.WriteLine($"  frontend application page (/app/100)  {application}   {application.Median / listapp.Median:0.0}x the baseline's median");
            Console.WriteLine($"  p99 target <= {P99TargetMs} ms per page: {(met ? "MET" : "MISSED")}");
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>The applications and services of user 1 (test), as SQL for sqlite3.</summary>
    private static string Rows()
    {
        var sql = new StringBuilder("BEGIN;\n");
        var created = DateTimeOffset.UtcNow.ToString("O");
        for (var aid = 1; aid <= Applications; aid++)
        {
            sql.Append($"INSERT INTO applications (aid, name, uid, status, created) VALUES ({aid}, 'bench app {aid}', 1, 'STOPPED', '{created}');\n");
            for (var sid = 1; sid <= ServicesEach; sid++)
                sql.Append($"INSERT INTO services (application_id, sid, name, type, state, cloud, created) VALUES ({aid}, {sid}, 'service {sid}', 'helloworld', 'STOPPED', 'default', '{created}');\n");
        }
        return sql.Append("COMMIT;\n").ToString();
    }

    private sealed record Timing(double Median, double P99)
    {
        public override string ToString() => $"median {Median,6:0.0} ms, p99 {P99,6:0.0} ms";
    }

    private static async Task<Timing> TimeAsync(HttpClient client, Uri url, string expected)
    {
        var times = new List<double>();
        for (var i = 0; i < Warmup + Requests; i++)
        {
            var clock = Stopwatch.StartNew();
            var body = await client.GetStringAsync(url);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!body.Contains(expected)) throw new InvalidDataException($"{url} did not show '{expected}'");
            if (i >= Warmup) times.Add(elapsed);
        }
        var sorted = times.Order().ToArray();
        return new Timing(sorted[sorted.Length / 2], sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1]);
    }

    /// <summary>A client with the frontend's cookies, logged in as test through the login form and its anti-forgery token.</summary>
    private static async Task<HttpClient> LogInAsync(Uri frontend)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true };
        // The frontend's certificate is the sandbox CA's; this client checks nothing of it (the tests do), it measures.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var client = new HttpClient(handler);
        var login = await client.GetStringAsync(new Uri(frontend, "/login"));
        var token = Regex.Match(login, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await client.PostAsync(new Uri(frontend, "/login"),
            new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("username", "test"), new("password", "password")]));
        if (!(await response.Content.ReadAsStringAsync()).Contains("data-live=\"credit\"")) throw new InvalidDataException("the bench could not log in to the frontend");
        return client;
    }
}
