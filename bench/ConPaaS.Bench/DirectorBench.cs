using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using ConPaaS.Platform.Security;
using ConPaaS.Processes;

namespace ConPaaS.Bench;

/// <summary>
/// 32 concurrent clients, each on its own mutual-TLS connection, calling listapp on a sandbox director holding ten
/// applications, then the same load on the bare Kestrel ceiling; rounds alternate and the best of each is kept.
/// </summary>
internal static class DirectorBench
{
    private const int Clients = 32;
    private const int Rounds = 2;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(6);
    private const double RatioTarget = 0.5;
    private const double P99TargetMs = 50;

    public static async Task<int> RunAsync(string bin)
    {
        var state = Path.Combine(Path.GetTempPath(), $"cps-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(state);
        try
        {
            var directorPort = ConPaaS.Common.LoopbackPort.FindFree();
            using var director = BackgroundProcess.Start(new Command(Path.Combine(bin, "cpsdirector"), "sandbox", Path.Combine(state, "sandbox"),
                "--port", directorPort.ToString(), "--subnet", "127.201.7.0/24").Contained(), Path.Combine(state, "director.log"));
            var directorUrl = new Uri($"https://127.0.0.1:{directorPort}");
            await WaitAsync(directorUrl);
            var certificates = Path.Combine(state, "sandbox", "certs");
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certificates, "ca_cert.pem")));
            var user = await UserCertificateAsync(directorUrl, ca);
            using (var setup = TlsClient.Create(ca, user, checkHostName: true))
                for (var i = 1; i <= 10; i++)
                    (await setup.PostAsync(new Uri(directorUrl, "/createapp"), new FormUrlEncodedContent([new("name", $"bench app {i}")]))).EnsureSuccessStatusCode();
            string body;
            using (var setup = TlsClient.Create(ca, user, checkHostName: true))
                body = await setup.GetStringAsync(new Uri(directorUrl, "/listapp"));

            var ceilingPort = ConPaaS.Common.LoopbackPort.FindFree();
            var ceilingCommand = new Command("dotnet", typeof(DirectorBench).Assembly.Location, "ceiling", ceilingPort.ToString(), certificates)
                { StandardInput = System.Text.Encoding.UTF8.GetBytes(body + "\n") }.Contained();
            using var ceiling = BackgroundProcess.Start(ceilingCommand, Path.Combine(state, "ceiling.log"));
            var ceilingUrl = new Uri($"https://127.0.0.1:{ceilingPort}");
            await WaitAsync(new Uri(ceilingUrl, "/listapp"), ca, user);

            LoadResult? bestDirector = null, bestCeiling = null;
            for (var round = 0; round < Rounds; round++)
            {
                var c = await LoadAsync(new Uri(ceilingUrl, "/listapp"), ca, user);
                var d = await LoadAsync(new Uri(directorUrl, "/listapp"), ca, user);
                Console.WriteLine($"  round {round + 1}: director {d}; bare Kestrel {c}");
                if (bestDirector is null || d.RequestsPerSecond > bestDirector.RequestsPerSecond) bestDirector = d;
                if (bestCeiling is null || c.RequestsPerSecond > bestCeiling.RequestsPerSecond) bestCeiling = c;
            }
            var ratio = bestDirector!.RequestsPerSecond / bestCeiling!.RequestsPerSecond;
            var met = ratio >= RatioTarget && bestDirector.P99Ms <= P99TargetMs;
            Console.WriteLine();
            Console.WriteLine($"BENCH director-listapp: {Clients} clients, one mutual-TLS connection each, {Environment.ProcessorCount} cores, best of {Rounds} ({Measure.TotalSeconds:0} s each)");
            Console.WriteLine($"  cpsdirector /listapp (10 applications)   {bestDirector}");
            Console.WriteLine($"  bare Kestrel, same TLS (ceiling)         {bestCeiling}");
            Console.WriteLine($"  ratio director/ceiling = {ratio:0.00} (target >= {RatioTarget}), p99 {bestDirector.P99Ms:0.0} ms (target <= {P99TargetMs} ms) {(met ? "MET" : "MISSED")}");
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>Each client on its own mutual-TLS connection.</summary>
    private static Task<LoadResult> LoadAsync(Uri url, X509Certificate2 ca, X509Certificate2 user) =>
        LoadGenerator.RunAsync([.. Enumerable.Range(0, Clients).Select(_ => (TlsClient.Create(ca, user, checkHostName: true), url.ToString()))], Warmup, Measure);

    internal static async Task<X509Certificate2> UserCertificateAsync(Uri director, X509Certificate2 ca)
    {
        using var client = TlsClient.Create(ca, null, checkHostName: true);
        using var response = await client.PostAsync(new Uri(director, "/getcerts"), new FormUrlEncodedContent([new("username", "test"), new("password", "password")]));
        response.EnsureSuccessStatusCode();
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        string Read(string name) => new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
        return TlsClient.FromPem(Read("cert.pem"), Read("key.pem"));
    }

    internal static async Task WaitAsync(Uri url, X509Certificate2? ca = null, X509Certificate2? user = null)
    {
        using var client = TlsClient.Create(ca, user, checkHostName: false, timeout: TimeSpan.FromSeconds(2));
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                using var response = await client.GetAsync(url.AbsolutePath == "/" ? new Uri(url, "/version") : url);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{url} did not answer");
    }
}
