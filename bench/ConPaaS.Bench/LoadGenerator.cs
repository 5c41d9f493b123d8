using System.Diagnostics;

namespace ConPaaS.Bench;

/// <summary>Requests per second, p99 and errors of a load: each client on its own connection, asking one URL after another.</summary>
internal sealed record LoadResult(double RequestsPerSecond, double P99Ms, long Errors)
{
    public override string ToString() => $"{RequestsPerSecond:0} req/s, p99 {P99Ms:0.0} ms{(Errors > 0 ? $", {Errors} errors" : "")}";
}

/// <summary>
/// The benchmarks' load: the clients given, each asking its URL in a loop for <paramref name="warmup"/> plus
/// <paramref name="measure"/>; latencies count only inside the measuring window. The clients are disposed after.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(IReadOnlyList<(HttpClient Client, string Url)> clients, TimeSpan warmup, TimeSpan measure)
    {
        var latencies = new List<double>[clients.Count];
        long errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
        {
            latencies[i] = [];
            while (clock.Elapsed < warmup + measure)
            {
                var start = clock.Elapsed;
                try
                {
                    using var response = await c.Client.GetAsync(c.Url);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
                if (start >= warmup) latencies[i].Add((clock.Elapsed - start).TotalMilliseconds);
            }
        })));
        foreach (var (client, _) in clients) client.Dispose();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length / measure.TotalSeconds, all[(int)Math.Ceiling(all.Length * 0.99) - 1], errors);
    }
}
