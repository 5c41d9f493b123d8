using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>Every way of calling with the wrong certificate is refused; passwords are stored slow and salted.</summary>
public class SecurityTests : IAsyncLifetime
{
    private Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task No_certificate_is_refused_with_an_error()
    {
        using var client = _sandbox.Client();
        using var response = await client.GetAsync(new Uri(_sandbox.Url, "/listapp"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("client certificate", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());

        // curl, which we did not write, sees the same.
        var curl = HostTool.Try("curl", "-s", "--cacert", Path.Combine(_sandbox.Directory, "certs", "ca_cert.pem"), new Uri(_sandbox.Url, "/listapp").ToString());
        Assert.Contains("\"error\"", curl.StandardOutput);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_or_an_expired_one_fails_the_handshake()
    {
        using var other = new TempDirectory();
        var foreign = CertificateAuthority.LoadOrCreate(other.Path, "elsewhere");
        var (fromOther, otherKey) = foreign.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "test"));
        var (expired, expiredKey) = _sandbox.Authority.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "test"),
            DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        foreach (var certificate in new[] { Sandbox.Usable(fromOther, otherKey), Sandbox.Usable(expired, expiredKey) })
        {
            using var client = _sandbox.Client(certificate);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(new Uri(_sandbox.Url, "/listapp")));
        }

        File.WriteAllText(other.File("cert.pem"), fromOther);
        File.WriteAllText(other.File("key.pem"), otherKey);
        var curl = HostTool.Try("curl", "-s", "--cacert", Path.Combine(_sandbox.Directory, "certs", "ca_cert.pem"),
            "--cert", other.File("cert.pem"), "--key", other.File("key.pem"), new Uri(_sandbox.Url, "/listapp").ToString());
        Assert.NotEqual(0, curl.ExitCode);
    }

    [Fact]
    public async Task A_users_certificate_cannot_reach_another_users_application()
    {
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var aid = await CreateApplicationAsync(alice, "alice's app");

        using var client = _sandbox.Client(_sandbox.Certificate(new CertificateIdentity(bob, Roles.User, 0, "bob")));
        foreach (var path in new[] { $"/stopapp/{aid}", $"/deleteapp/{aid}", $"/startapp/{aid}", $"/renameapp/{aid}" })
        {
            using var response = await client.PostAsync(new Uri(_sandbox.Url, path), new FormUrlEncodedContent([new("name", "mine now")]));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var listed = await client.GetFromJsonAsync<JsonArray>(new Uri(_sandbox.Url, "/listapp"));
        Assert.Empty(listed!);
        Assert.Equal("alice's app|INIT", _sandbox.Sql($"SELECT name || '|' || status FROM applications WHERE aid = {aid}"));
    }

    [Fact]
    public async Task A_manager_certificate_acts_only_on_its_own_application()
    {
        var alice = await NewUserAsync("carol");
        var first = await CreateApplicationAsync(alice, "one");
        var second = await CreateApplicationAsync(alice, "two");
        using var manager = _sandbox.Client(_sandbox.Certificate(new CertificateIdentity(alice, Roles.Manager, first, "mgr")));

        using (var response = await manager.PostAsync(new Uri(_sandbox.Url, "/credit"), new FormUrlEncodedContent([new("app_id", second.ToString())])))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using (var response = await manager.PostAsync(new Uri(_sandbox.Url, "/create_nodes"), new FormUrlEncodedContent([new("app_id", second.ToString()), new("service_id", "1")])))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // Nor may it use the user's calls.
        using (var response = await manager.GetAsync(new Uri(_sandbox.Url, "/listapp")))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // Its own application is fine.
        using (var response = await manager.PostAsync(new Uri(_sandbox.Url, "/credit"), new FormUrlEncodedContent([new("app_id", first.ToString())])))
            Assert.Equal(50, (await response.Content.ReadFromJsonAsync<JsonObject>())!["credit"]!.GetValue<long>());
        // A user certificate is not a manager certificate.
        using var user = _sandbox.Client(_sandbox.Certificate(new CertificateIdentity(alice, Roles.User, 0, "carol")));
        using (var response = await user.PostAsync(new Uri(_sandbox.Url, "/credit"), new FormUrlEncodedContent([])))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_manager_process_refuses_other_users_and_the_director_checks_managers()
    {
        await _sandbox.CpsToolsOkAsync("user", "get_certificate");
        await _sandbox.CpsToolsOkAsync("application", "create", "guarded");
        await _sandbox.CpsToolsOkAsync("application", "start", "1");
        var manager = _sandbox.Sql("SELECT manager || ':' || manager_port FROM applications WHERE aid = 1");
        var mallory = await NewUserAsync("mallory");
        using var client = TlsClient.Create(_sandbox.Ca, _sandbox.Certificate(new CertificateIdentity(mallory, Roles.User, 0, "mallory")), checkHostName: false);
        using var response = await client.PostAsJsonAsync($"https://{manager}/", new { service_id = 0, method = "get_app_info", @params = new { }, id = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("may not call", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Passwords_are_stored_as_slow_salted_hashes()
    {
        await NewUserAsync("dave");
        var stored = _sandbox.Sql("SELECT password FROM users WHERE username = 'dave'");
        Assert.StartsWith("pbkdf2-sha256$210000$", stored);
        Assert.DoesNotContain("correct horse", stored);
        Assert.NotEqual(stored, _sandbox.Sql("SELECT password FROM users WHERE username = 'test'"));
        using var client = _sandbox.Client();
        using var wrong = await client.PostAsync(new Uri(_sandbox.Url, "/login"), new FormUrlEncodedContent([new("username", "dave"), new("password", "wrong password")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    private async Task<long> NewUserAsync(string name)
    {
        using var client = _sandbox.Client();
        using var response = await client.PostAsync(new Uri(_sandbox.Url, "/new_user"),
            new FormUrlEncodedContent([new("username", name), new("password", "correct horse battery"), new("email", $"{name}@example.org")]));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return body!["uid"]!.GetValue<long>();
    }

    private async Task<long> CreateApplicationAsync(long uid, string name)
    {
        using var client = _sandbox.Client(_sandbox.Certificate(new CertificateIdentity(uid, Roles.User, 0, "u")));
        using var response = await client.PostAsync(new Uri(_sandbox.Url, "/createapp"), new FormUrlEncodedContent([new("name", name)]));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["aid"]!.GetValue<long>();
    }
}
