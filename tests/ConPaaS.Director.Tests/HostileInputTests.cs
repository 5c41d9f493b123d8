using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>
/// The probe's malformed requests, sent with curl to the director's and a running manager's ports: each is refused
/// with a 4xx and a <c>{"error": ...}</c> body saying what was wrong, never a 500 or an empty body, and the director
/// logs no stack trace for them.
/// </summary>
public class HostileInputTests : IAsyncLifetime
{
    private Sandbox _sandbox = null!;
    private string _cert = "", _key = "";

    public async Task InitializeAsync()
    {
        _sandbox = await Sandbox.WithStartedApplicationAsync("probed");
        await _sandbox.CpsToolsOkAsync("service", "add", "helloworld", "1");
        var (certificate, key) = _sandbox.Authority.IssueWithKey(new CertificateIdentity(1, Roles.User, 0, "test"));
        _cert = Path.Combine(_sandbox.Home, "probe-cert.pem");
        _key = Path.Combine(_sandbox.Home, "probe-key.pem");
        File.WriteAllText(_cert, certificate);
        File.WriteAllText(_key, key);
    }

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private const string CutMultipart = "--BB\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nabc";

    [Theory]
    [InlineData("/login")]
    [InlineData("/new_user")]
    [InlineData("/getcerts")]
    [InlineData("/createapp")]
    public void A_multipart_body_cut_short_is_refused_by_the_director(string path)
    {
        // /createapp needs a user's certificate before it reads its form; the others take none.
        var (status, error) = Curl(new Uri(_sandbox.Url, path), ["-H", "Content-Type: multipart/form-data; boundary=BB", "--data-binary", CutMultipart], certificate: path == "/createapp");
        Assert.Equal(400, status);
        Assert.StartsWith("the request body is not a readable form", error);
        Assert.DoesNotContain("   at ", File.ReadAllText(_sandbox.Log));
    }

    [Fact]
    public void A_wrong_method_gets_405_with_a_body()
    {
        var (status, error) = Curl(new Uri(_sandbox.Url, "/createapp"), ["-X", "PUT"], certificate: true);
        Assert.Equal(405, status);
        Assert.Equal("/createapp does not take PUT", error);
    }

    [Fact]
    public void Two_files_under_one_field_of_a_manifest_are_refused()
    {
        var file = Path.Combine(_sandbox.Home, "twice.sh");
        File.WriteAllText(file, "echo twice\n");
        var (status, error) = Curl(new Uri(_sandbox.Url, "/upload_manifest"),
            ["-F", "manifest={\"Application\": \"twice\"}", "-F", $"script=@{file}", "-F", $"script=@{file}"], certificate: true);
        Assert.Equal((400, "two files were sent as 'script'"), (status, error));
        Assert.Equal("0", _sandbox.Sql("SELECT COUNT(*) FROM applications WHERE name = 'twice'"));
    }

    public static TheoryData<string, string[], string> ManagerRequests => new()
    {
        { "JSON that is not UTF-8", ["-H", "Content-Type: application/json", "--data-binary", "@INVALID_UTF8"], "the request cannot be read" },
        { "nodes of the wrong kind", ["-H", "Content-Type: application/json", "--data-binary", """{"service_id": 1, "method": "add_nodes", "params": {"nodes": {"a": "x"}}, "id": 1}"""], "'nodes.a' must be a whole number from 0 to 50" },
        { "a fraction of a node", ["-H", "Content-Type: application/json", "--data-binary", """{"service_id": 1, "method": "add_nodes", "params": {"nodes": {"a": 1.5}}, "id": 1}"""], "'nodes.a' must be a whole number" },
        { "more nodes than exist", ["-H", "Content-Type: application/json", "--data-binary", """{"service_id": 1, "method": "add_nodes", "params": {"nodes": {"a": 9223372036854775807}}, "id": 1}"""], "'nodes.a' must be a whole number" },
        { "an upload cut short", ["-H", "Content-Type: multipart/form-data; boundary=BB", "--data-binary", CutMultipart], "the request cannot be read" },
        { "a wrong method", ["-X", "PUT"], "/ does not take PUT" },
    };

    [Theory]
    [MemberData(nameof(ManagerRequests))]
    public void The_manager_refuses_malformed_calls_with_a_reason(string what, string[] arguments, string expected)
    {
        var invalid = Path.Combine(_sandbox.Home, "invalid-utf8.json");
        File.WriteAllBytes(invalid, [.. "{\"method\": \"get_app_info\", \"params\": {\"x\": \""u8, 0xff, 0xfe, .. "\"}}"u8]);
        var manager = _sandbox.Sql("SELECT manager || ':' || manager_port FROM applications WHERE aid = 1");
        var (status, error) = Curl(new Uri($"https://{manager}/"), [.. arguments.Select(a => a.Replace("INVALID_UTF8", invalid))], certificate: true, checkName: false);
        Assert.True(status is >= 400 and < 500, $"{what}: {status} {error}");
        Assert.Contains(expected, error);
    }

    /// <summary>The status and the error body's message, from curl (an oracle we did not write).</summary>
    private (int Status, string Error) Curl(Uri url, string[] arguments, bool certificate, bool checkName = true)
    {
        List<string> command = ["-s", "-w", "\n%{http_code}", "--cacert", Path.Combine(_sandbox.Directory, "certs", "ca_cert.pem")];
        if (!checkName) command.Add("-k");
        if (certificate) command.AddRange(["--cert", _cert, "--key", _key]);
        var output = HostTool.Run("curl", [.. command, .. arguments, url.ToString()]).TrimEnd('\n');
        var status = int.Parse(output[(output.LastIndexOf('\n') + 1)..]);
        var body = output[..output.LastIndexOf('\n')];
        Assert.False(string.IsNullOrEmpty(body), $"{url}: {status} with an empty body");
        return (status, JsonNode.Parse(body)!["error"]!.GetValue<string>());
    }
}
