using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>cpsdirector adduser and check, the administrator's commands.</summary>
public class AdminTests
{
    [Fact]
    public async Task Adduser_adds_a_user_who_can_then_log_in_and_refuses_a_duplicate()
    {
        await using var sandbox = await Sandbox.StartAsync();
        var config = Path.Combine(sandbox.Directory, "director.cfg");
        var added = await RunAsync("adduser", "--config", config, "--username", "erin", "--email", "erin@example.org", "--password", "long enough secret", "--credit", "7");
        Assert.True(added.Succeeded, added.StandardError);
        Assert.Matches(@"^User 'erin' created with id \d+ and 7 credits\.\n$", added.StandardOutput);

        File.WriteAllText(sandbox.ToolsConfig, "[cps-tools]\ndirector_url = " + sandbox.Url + "\nusername = erin\npassword = long enough secret\n");
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        Assert.Equal("7\n", await sandbox.CpsToolsOkAsync("user", "get_credit"));

        var again = await RunAsync("adduser", "--config", config, "--username", "erin", "--email", "e@x", "--password", "another secret");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("cpsdirector: error: user 'erin' already exists\n", again.StandardError);
        var noPassword = await RunAsync("adduser", "--config", config, "--username", "frank", "--email", "f@x");
        Assert.Equal(1, noPassword.ExitCode);
        Assert.Contains("give --password", noPassword.StandardError);
    }

    [Fact]
    public async Task Check_passes_on_a_running_sandbox_and_finds_a_hostname_mismatch_and_an_unreachable_director()
    {
        await using var sandbox = await Sandbox.StartAsync();
        var config = Path.Combine(sandbox.Directory, "director.cfg");
        var good = await RunAsync("check", "--config", config);
        Assert.Contains("ok       director certificate names 127.0.0.1", good.StandardOutput);
        Assert.Contains($"ok       director answers at {sandbox.Url}", good.StandardOutput);
        Assert.DoesNotContain("clock skew", good.StandardOutput);
        Assert.Contains("ok       local driver: application N's nodes run as uid 1879048192+N, each in a mount namespace without the director's state", good.StandardOutput);

        // The same installation, but DIRECTOR_URL now names a host the certificate does not (cpsconf.py's case),
        // on a port where nothing listens.
        var moved = Path.Combine(sandbox.Directory, "moved.cfg");
        File.WriteAllText(moved, File.ReadAllText(config).Replace($"https://127.0.0.1:{sandbox.Port}", "https://director.example.org:1"));
        var bad = await RunAsync("check", "--config", moved);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("PROBLEM  certificate/hostname mismatch", bad.StandardOutput);
        Assert.Contains("PROBLEM  director not reachable at https://director.example.org:1/", bad.StandardOutput);

        var broken = Path.Combine(sandbox.Directory, "broken.cfg");
        File.WriteAllText(broken, "[director]\nDIRECTOR_URL = http://plain\n");
        var refused = await RunAsync("check", "--config", broken);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"cpsdirector: error: {broken}: [director] DIRECTOR_URL = 'http://plain' is not an https URL\n", refused.StandardError);
    }

    [Fact]
    public async Task Check_run_by_an_ordinary_user_says_the_sandbox_is_for_one_trusted_user()
    {
        // nobody can read neither the sandbox's state nor root's files: a configuration of its own in a world-readable place.
        using var directory = new ConPaaS.Testing.TempDirectory();
        File.SetUnixFileMode(directory.Path, (UnixFileMode)0x1FF);
        var config = directory.File("director.cfg");
        File.WriteAllText(config, $"[conpaas]\nCONF_DIR = {directory.File("state")}\n[iaas]\nLOCAL_BIN_DIR = {Sandbox.Bin}\n[director]\nOPEN_REGISTRATION = true\n");
        var result = await new Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", Path.Combine(Sandbox.Bin, "cpsdirector"), "check", "--config", config)
            .WithEnvironment("DOTNET_BUNDLE_EXTRACT_BASE_DIR", directory.Path) // root's HOME is closed to nobody
            .RunAsync(CancellationToken.None, allowFailure: true);
        Assert.Contains("WARNING  local driver: the director does not run as root, so nodes run as nobody", result.StandardOutput);
        Assert.Contains("OPEN_REGISTRATION is on, lets strangers in, and should be off", result.StandardOutput);
    }

    [Fact]
    public async Task Frontend_gets_a_certificate_from_the_deployments_CA_and_its_main_ini()
    {
        using var directory = new ConPaaS.Testing.TempDirectory();
        var config = directory.File("director.cfg");
        File.WriteAllText(config, $"[conpaas]\nCONF_DIR = {directory.File("state")}\n[director]\nDIRECTOR_URL = https://192.168.56.2:5555\n");
        var output = directory.File("main.ini");
        var written = await RunAsync("frontend", "--config", config, "--listen", "https://192.168.56.2:443", "--output", output, "--read-certificates-from", "/run/credentials/x");
        Assert.True(written.Succeeded, written.StandardError);
        var ini = File.ReadAllText(output);
        Assert.Contains("DIRECTOR_URL = https://192.168.56.2:5555/", ini);
        Assert.Contains("LISTEN = https://192.168.56.2/", ini);
        Assert.Contains("KEY = /run/credentials/x/frontend_key.pem", ini);
        var certs = Path.Combine(directory.File("state"), "certs");
        var certificate = Path.Combine(certs, "frontend_cert.pem");
        Assert.EndsWith(": OK", HostTool.Run("openssl", "verify", "-CAfile", Path.Combine(certs, "ca_cert.pem"), certificate).Trim());
        Assert.Contains("IP Address:192.168.56.2", HostTool.Run("openssl", "x509", "-in", certificate, "-noout", "-ext", "subjectAltName"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certs, "frontend_key.pem")));

        var refused = await RunAsync("frontend", "--config", config, "--listen", "not a url", "--output", output);
        Assert.Equal("cpsdirector: error: --listen: 'not a url' is not a URL\n", refused.StandardError);
    }

    private static Task<ConPaaS.Processes.CommandResult> RunAsync(params string[] arguments) =>
        new ConPaaS.Processes.Command(Path.Combine(Sandbox.Bin, "cpsdirector"), arguments).RunAsync(CancellationToken.None, allowFailure: true);
}
