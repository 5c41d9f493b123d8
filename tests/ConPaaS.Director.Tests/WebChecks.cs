using System.Net;
using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>What the php and java tests judge a served application with: curl (an oracle we did not write), and a
/// client requesting in a loop while something changes.</summary>
public static class WebChecks
{
    /// <summary>The body (or only the status), with a cookie jar when given.</summary>
    public static async Task<string> CurlAsync(string url, string? jar = null, bool statusOnly = false)
    {
        string[] cookies = jar is null ? [] : ["-b", jar, "-c", jar];
        string[] output = statusOnly ? ["-o", "/dev/null", "-w", "%{http_code}"] : [];
        var result = await new Command("curl", ["-sS", "--max-time", "10", .. cookies, .. output, url]).RunAsync(CancellationToken.None);
        return statusOnly ? result.StandardOutput.Trim() : result.StandardOutput;
    }

    /// <summary>Requests <paramref name="url"/> without pause from before <paramref name="change"/> until a second
    /// after it; returns the bodies answered and every failure (a status other than 200, a refused connection).</summary>
    public static async Task<(IReadOnlyList<string> Bodies, IReadOnlyList<string> Failures)> RequestedThroughAsync(string url, Func<Task> change)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource();
        var seen = new List<string>();
        var failures = new List<string>();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK) failures.Add($"{(int)response.StatusCode}: {body}");
                    else seen.Add(body.Trim());
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
            }
        });
        await Task.Delay(500);
        await change();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await load;
        return (seen, failures);
    }
}
