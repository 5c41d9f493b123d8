using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Tests;

/// <summary>Bad input gets a clear {"error": ...} (ERROR: ... from cps-tools), and the database is unchanged.</summary>
public class BadInputTests : IAsyncLifetime
{
    private Sandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.StartAsync();
        await _sandbox.CpsToolsOkAsync("user", "get_certificate");
        await _sandbox.CpsToolsOkAsync("application", "create", "kept");
    }

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    public static TheoryData<string, string[], string> Requests => new()
    {
        { "/add/nosuch", ["appid=1"], "unknown service type 'nosuch'" },
        { "/createapp", [], "missing parameter 'name'" },
        { "/createapp", ["name=" + new string('x', 1000)], "'name' is longer than 100 characters" },
        { "/createapp", ["name=bad\u0007name"], "'name' contains control characters" },
        { "/createapp", ["name=   "], "'name' must not be empty" },
        { "/startapp/abc", [], "'aid' must be a positive whole number, not 'abc'" },
        { "/stopapp/-1", [], "'aid' must be a positive whole number" },
        { "/renameapp/99999999999999999999999", ["name=x"], "'aid' must be a positive whole number" },
        { "/add/helloworld", ["appid=one"], "'appid' must be a positive whole number" },
        { "/add/helloworld", [], "missing parameter 'appid'" },
        { "/remove", ["app_id=1"], "missing parameter 'service_id'" },
        { "/startapp/1/mars", [], "unknown cloud 'mars'" },
        { "/nonsense", [], "no such call" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Bad_requests_get_an_error_body_and_change_nothing(string path, string[] form, string expected)
    {
        var before = Dump();
        using var client = _sandbox.Client(_sandbox.Certificate(new CertificateIdentity(1, Roles.User, 0, "test")));
        using var response = await client.PostAsync(new Uri(_sandbox.Url, path),
            new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f[..f.IndexOf('=')], f[(f.IndexOf('=') + 1)..]))));
        Assert.InRange((int)response.StatusCode, 400, 499);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains(expected, body!["error"]!.GetValue<string>());
        Assert.Equal(before, Dump());
    }

    [Fact]
    public void An_oversized_body_is_refused_with_413_and_an_error()
    {
        var before = Dump();
        var certificate = _sandbox.Authority.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "test"));
        var directory = _sandbox.Home;
        File.WriteAllText(Path.Combine(directory, "big-cert.pem"), certificate.Certificate);
        File.WriteAllText(Path.Combine(directory, "big-key.pem"), certificate.Key);
        File.WriteAllText(Path.Combine(directory, "big-body"), "name=big&padding=" + new string('x', 8 << 20));
        // curl, not our client: it reads the early 413 answer while the body is still being sent.
        var curl = ConPaaS.Testing.HostTool.Run("curl", "-s", "-w", "\n%{http_code}", "--cacert", Path.Combine(_sandbox.Directory, "certs", "ca_cert.pem"),
            "--cert", Path.Combine(directory, "big-cert.pem"), "--key", Path.Combine(directory, "big-key.pem"),
            "--data-binary", "@" + Path.Combine(directory, "big-body"), new Uri(_sandbox.Url, "/createapp").ToString());
        Assert.Equal("{\"error\":\"request body too large\"}\n413\n", curl);
        Assert.Equal(before, Dump());
    }

    [Theory]
    [InlineData(new[] { "service", "add", "nosuch", "1" }, "ERROR: unknown service type 'nosuch'")]
    [InlineData(new[] { "service", "add", "helloworld", "1" }, "ERROR: application 1 is INIT; start it before adding services")]
    [InlineData(new[] { "application", "start", "42" }, "ERROR: no application with id '42'")]
    [InlineData(new[] { "application", "create", "" }, "ERROR: missing parameter 'name'")]
    [InlineData(new[] { "service", "remove", "1", "7" }, "ERROR: application 1 has no service with id '7'")]
    public async Task Cps_tools_prints_one_error_line_and_exits_1(string[] arguments, string expected)
    {
        var before = Dump();
        var result = await _sandbox.CpsToolsAsync(arguments);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(expected, result.StandardError);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", result.StandardError);
        Assert.Equal(before, Dump());
    }

    [Fact]
    public async Task Cps_tools_without_a_reachable_director_says_so()
    {
        var config = Path.Combine(_sandbox.Home, "elsewhere.conf");
        File.WriteAllText(config, "[cps-tools]\ndirector_url = https://127.0.0.1:1\nusername = test\n");
        var result = await _sandbox.RunToolWithAsync(config, "cps-tools", "application", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("ERROR: no ConPaaS director at https://127.0.0.1:1/", result.StandardError);
    }

    private string Dump() => _sandbox.Sql(".dump");
}
