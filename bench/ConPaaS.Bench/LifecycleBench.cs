using System.Diagnostics;
using ConPaaS.Processes;

namespace ConPaaS.Bench;

/// <summary>
/// The life-cycle timings on the local driver, each the wall time of the real cps-tools command:
/// application start to RUNNING, service (helloworld) start to RUNNING, add_nodes of 10 agents to RUNNING.
/// The original's published Raspberry Pi figures (2 min 4 s and 1 min 2 s) are printed beside them.
/// </summary>
internal static class LifecycleBench
{
    private const int Rounds = 3;
    private const double TargetSeconds = 2;

    public static async Task<int> RunAsync(string bin)
    {
        var results = new Dictionary<string, List<double>> { ["application start"] = [], ["service start"] = [], ["add_nodes --count 10"] = [] };
        for (var round = 0; round < Rounds; round++)
        {
            var state = Path.Combine(Path.GetTempPath(), $"cps-lifecycle-{Environment.ProcessId}-{round}");
            Directory.CreateDirectory(Path.Combine(state, "home"));
            try
            {
                var port = ConPaaS.Common.LoopbackPort.FindFree();
                using var director = BackgroundProcess.Start(new Command(Path.Combine(bin, "cpsdirector"), "sandbox", Path.Combine(state, "sandbox"),
                    "--port", port.ToString(), "--subnet", $"127.202.{round}.0/24").Contained(), Path.Combine(state, "director.log"));
                async Task<double> Tool(params string[] arguments)
                {
                    var clock = Stopwatch.StartNew();
                    await new Command(Path.Combine(bin, "cps-tools"), ["--conf_file", Path.Combine(state, "sandbox", "cps-tools.conf"), .. arguments])
                        .WithEnvironment("HOME", Path.Combine(state, "home")).RunAsync(CancellationToken.None);
                    return clock.Elapsed.TotalSeconds;
                }
                for (var attempt = 0; !File.Exists(Path.Combine(state, "sandbox", "cps-tools.conf")) || !await AnswersAsync(port); attempt++)
                    await Task.Delay(50);
                await Tool("user", "get_certificate");
                await Tool("application", "create", "bench");
                results["application start"].Add(await Tool("application", "start", "1"));
                await Tool("service", "add", "helloworld", "1");
                results["service start"].Add(await Tool("service", "start", "1", "1"));
                results["add_nodes --count 10"].Add(await Tool("service", "add_nodes", "1", "1", "--count", "10"));
                Console.WriteLine($"  round {round + 1}: {string.Join(", ", results.Select(r => $"{r.Key} {r.Value[^1]:0.00} s"))}");
            }
            finally
            {
                Directory.Delete(state, recursive: true);
            }
        }
        var original = new Dictionary<string, double> { ["application start"] = 124.5, ["service start"] = 62.0 };
        Console.WriteLine();
        Console.WriteLine($"BENCH lifecycle: local driver, real cps-tools, {Environment.ProcessorCount} cores, best and worst of {Rounds}");
        foreach (var (name, times) in results)
        {
            var best = times.Min();
            var baseline = original.TryGetValue(name, out var seconds) ? $", ratio to the original's {seconds:0.0} s on its Pi cloud = {best / seconds:0.000}" : "";
            Console.WriteLine($"  {name,-22} {best,5:0.00} s (worst {times.Max():0.00} s){baseline}; target <= {TargetSeconds} s {(times.Max() <= TargetSeconds ? "MET" : "MISSED")}");
        }
        return 0;
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = ConPaaS.Platform.Security.TlsClient.Create(null, null, checkHostName: false, timeout: TimeSpan.FromSeconds(2));
        try
        {
            using var response = await client.GetAsync($"https://127.0.0.1:{port}/version");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
