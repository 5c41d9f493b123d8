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

    /// <summary>tests/corpus/hostile-requests.json, one case per request (its "about" says how it is written).</summary>
    public static TheoryData<string> Requests()
    {
        var data = new TheoryData<string>();
        foreach (var request in Corpus()) data.Add(request["name"]!.GetValue<string>());
        return data;
    }

    private static IEnumerable<JsonNode> Corpus() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "corpus", "hostile-requests.json")))!["requests"]!.AsArray()!.Select(r => r!);

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_hostile_request_is_refused_with_its_status_and_a_reason(string name)
    {
        var request = Corpus().Single(r => r["name"]!.GetValue<string>() == name);
        var invalid = Path.Combine(_sandbox.Home, "invalid-utf8.json");
        File.WriteAllBytes(invalid, [.. "{\"method\": \"get_app_info\", \"params\": {\"x\": \""u8, 0xff, 0xfe, .. "\"}}"u8]);
        File.WriteAllText(Path.Combine(_sandbox.Home, "cut-multipart"), CutMultipart);
        string Expand(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\{(\d+)\*(.)\}", m => new string(m.Groups[2].Value[0], int.Parse(m.Groups[1].Value)))
            .Replace("@INVALID_UTF8", "@" + invalid).Replace("@CUT_MULTIPART", "@" + Path.Combine(_sandbox.Home, "cut-multipart"));

        var toDirector = request["to"]!.GetValue<string>() == "director";
        var root = toDirector ? _sandbox.Url.ToString().TrimEnd('/') : "https://" + _sandbox.Sql("SELECT manager || ':' || manager_port FROM applications WHERE aid = 1");
        var (status, error) = Curl(new Uri(root + Expand(request["path"]!.GetValue<string>())),
            [.. request["curl"]!.AsArray().Select(a => Expand(a!.GetValue<string>()))], request["certificate"]!.GetValue<bool>(), checkName: toDirector);
        Assert.Equal(request["status"]!.GetValue<int>(), status);
        Assert.Contains(request["error"]!.GetValue<string>(), error);
        Assert.DoesNotContain("   at ", File.ReadAllText(_sandbox.Log));
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

    /// <summary>The status and the error body's message, from curl (an oracle we did not write).</summary>
    private (int Status, string Error) Curl(Uri url, string[] arguments, bool certificate, bool checkName = true)
    {
        List<string> command = ["-s", "-w", "\n%{http_code}", "--cacert", Path.Combine(_sandbox.Directory, "certs", "ca_cert.pem")];
        if (!checkName) command.Add("-k");
        if (certificate) command.AddRange(["--cert", _cert, "--key", _key]);
        var output = HostTool.Run("curl", [.. command, .. arguments, url.ToString()]).TrimEnd('\n');
        var status = int.Parse(output[(output.LastIndexOf('\n') + 1)..]);
        var body = output[..output.LastIndexOf('\n')];
        Assert.False(string.IsNullOrEmpty(body), $"{ConPaaS.Common.Text.Shorten(url.ToString(), 100)}: {status} with an empty body");
        return (status, JsonNode.Parse(body)!["error"]!.GetValue<string>());
    }
}
