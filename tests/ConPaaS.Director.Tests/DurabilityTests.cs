using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Tests;

/// <summary>What the director acknowledged survives SIGKILL; credits run out and stop the user's nodes.</summary>
public class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_application_survives_a_sigkill_during_200_concurrent_creates()
    {
        await using var sandbox = await Sandbox.StartAsync();
        var certificate = sandbox.Certificate(new CertificateIdentity(1, Roles.User, 0, "test"));
        var acknowledged = new ConcurrentBag<long>();
        using var client = sandbox.Client(certificate);
        var killed = new TaskCompletionSource();
        var count = 0;

        async Task CreateAsync(int i)
        {
            try
            {
                using var response = await client.PostAsync(new Uri(sandbox.Url, "/createapp"), new FormUrlEncodedContent([new("name", $"burst {i}")]));
                if (response.IsSuccessStatusCode)
                {
                    acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["aid"]!.GetValue<long>());
                    // SIGKILL the moment the 40th answer arrives, while the rest are in flight.
                    if (Interlocked.Increment(ref count) == 40) killed.SetResult();
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // The director died under this request: not acknowledged, so no promise to check.
            }
        }

        var burst = Enumerable.Range(0, 200).Select(i => Task.Run(() => CreateAsync(i))).ToList();
        await killed.Task;
        await sandbox.KillAsync();
        await Task.WhenAll(burst);
        Assert.True(acknowledged.Count is >= 40 and < 200, $"{acknowledged.Count} of 200 acknowledged: the kill did not land mid-burst");

        await sandbox.RestartAsync();
        Assert.Equal("ok", sandbox.Sql("PRAGMA integrity_check"));
        var stored = sandbox.Sql("SELECT aid FROM applications").Split('\n').Select(long.Parse).ToHashSet();
        var lost = acknowledged.Except(stored).ToList();
        Assert.True(lost.Count == 0, $"acknowledged but lost: {string.Join(", ", lost)}");
        using var after = sandbox.Client(certificate);
        var listed = await after.GetFromJsonAsync<JsonArray>(new Uri(sandbox.Url, "/listapp"));
        Assert.Equal(stored.Count, listed!.Count);
    }

    [Fact]
    public async Task Running_out_of_credit_stops_the_users_applications()
    {
        // One credit per node per second here, so the test sees several periods.
        await using var sandbox = await Sandbox.StartAsync(new Dictionary<string, string> { ["CPSDIRECTOR_DIRECTOR_CREDIT_PERIOD"] = "1" });
        using var anonymous = sandbox.Client();
        using (var created = await anonymous.PostAsync(new Uri(sandbox.Url, "/new_user"),
                   new FormUrlEncodedContent([new("username", "frugal"), new("password", "correct horse battery"), new("credit", "3")])))
            Assert.True(created.IsSuccessStatusCode);
        File.WriteAllText(sandbox.ToolsConfig, File.ReadAllText(sandbox.ToolsConfig).Replace("username = test", "username = frugal").Replace("password = password", "password = correct horse battery"));
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "meter");
        await sandbox.CpsToolsOkAsync("application", "start", "meter");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sandbox.Sql("SELECT status FROM applications WHERE name = 'meter'") != "STOPPED" && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal("STOPPED", sandbox.Sql("SELECT status FROM applications WHERE name = 'meter'"));
        Assert.Equal("0", sandbox.Sql("SELECT credit FROM users WHERE username = 'frugal'"));
        Assert.Equal("0", sandbox.Sql("SELECT COUNT(*) FROM resources"));
        var refused = await sandbox.CpsToolsAsync("application", "start", "meter");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("ERROR: no credit left", refused.StandardError);
    }
}
