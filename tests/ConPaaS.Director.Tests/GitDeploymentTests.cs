using System.Text.RegularExpressions;
using ConPaaS.Processes;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>
/// Git push deployment with the real git, ssh and sshd: an uploaded key clones the application's repository from the
/// manager, a push of a service's directory becomes a git-HASH version that enables and runs, and nothing else gets
/// through (unknown keys, shell commands, keys carrying options, escaping symlinks, deleting git versions).
/// </summary>
public class GitDeploymentTests
{
    [Fact]
    public async Task A_pushed_directory_becomes_a_code_version_that_runs()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("git");
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        await sandbox.CpsToolsOkAsync("service", "start", "1", "1");
        var key = NewKey(sandbox.Home, "user");

        var uploaded = await sandbox.CpsToolsOkAsync("generic", "upload_key", "1", "1", key + ".pub");
        var url = Regex.Match(uploaded, @"^key added\nClone the application's repository with: git clone (ssh://[\w-]+@127\.[\d.]+:2222/code)\n$").Groups[1].Value;
        Assert.NotEmpty(url);
        Assert.Equal(File.ReadAllText(key + ".pub"), await sandbox.CpsToolsOkAsync("generic", "list_keys", "1", "1"));
        Assert.StartsWith("key already present", await sandbox.CpsToolsOkAsync("generic", "upload_key", "1", "1", key + ".pub"));

        var work = Path.Combine(sandbox.Home, "code");
        await GitAsync(sandbox.Home, key, "clone", "--quiet", url, work);
        Directory.CreateDirectory(Path.Combine(work, "1"));
        File.WriteAllText(Path.Combine(work, "1", "run.sh"), "echo \"pushed with git, my role is $CPS_AGENT_ROLE\"\n");
        File.WriteAllText(Path.Combine(work, "README"), "not a service's code\n");
        await GitAsync(work, key, "add", ".");
        await GitAsync(work, key, "commit", "--quiet", "-m", "New code version");
        var commit = (await GitAsync(work, key, "rev-parse", "HEAD")).StandardOutput.Trim();
        var pushed = await GitAsync(work, key, "push", "origin", "master");
        var version = "git-" + commit[..7];
        Assert.Contains($"remote: service 1: code version {version} is available", pushed.StandardError);

        var codes = await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1");
        Assert.Matches($@"\n        {version} +{commit[..7]} +Git upload", codes);
        Assert.Contains("      * code-default", codes);
        Assert.Equal($"{version} enabled\n", await sandbox.CpsToolsOkAsync("generic", "enable_code", "1", "1", version));
        await sandbox.CpsToolsOkAsync("generic", "run", "1", "1");
        var master = (await sandbox.CpsToolsOkAsync("generic", "list_nodes", "1", "1")).Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string output;
        while (!(output = await sandbox.CpsToolsOkAsync("generic", "get_agent_log", "1", "1", master, "-f", "agent.out")).Contains("pushed with git") && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Contains("pushed with git, my role is master", output);
        // Only the service's directory is its code: README stays out.
        Assert.False(File.Exists(Path.Combine(sandbox.Directory, "data", "nodes", master, "var", "lib", "cpsagent", "code", "README")));
        Assert.True(File.Exists(Path.Combine(sandbox.Directory, "data", "nodes", master, "var", "lib", "cpsagent", "code", "run.sh")));
        Assert.Equal($"ERROR: {version} is the active code version; enable another one first\n", (await sandbox.CpsToolsAsync("generic", "delete_code", "1", "1", version)).StandardError);
        await sandbox.CpsToolsOkAsync("generic", "enable_code", "1", "1", "code-default");
        Assert.Equal($"ERROR: {version} came with a git push; versions uploaded with git cannot be deleted\n", (await sandbox.CpsToolsAsync("generic", "delete_code", "1", "1", version)).StandardError);

        // A commit without the service's directory, and one whose link climbs out: reported to the pusher, no version.
        File.Delete(Path.Combine(work, "1", "run.sh"));
        File.CreateSymbolicLink(Path.Combine(work, "1", "passwd"), "../../../../etc/passwd");
        await GitAsync(work, key, "add", "-A");
        await GitAsync(work, key, "commit", "--quiet", "-m", "escape");
        var escaping = await GitAsync(work, key, "push", "origin", "master");
        Assert.Matches(@"remote: service 1: \w{7} refused: the link 'passwd' points outside the archive", escaping.StandardError);
        Assert.Equal(codes, await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1"));
    }

    [Fact]
    public async Task Only_uploaded_keys_reach_the_repository_and_only_for_git()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("git");
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        var key = NewKey(sandbox.Home, "user");
        var stranger = NewKey(sandbox.Home, "stranger");
        var url = Regex.Match(await sandbox.CpsToolsOkAsync("generic", "upload_key", "1", "1", key + ".pub"), @"ssh://\S+").Value;
        var uri = new Uri(url);

        var refused = await GitAsync(sandbox.Home, stranger, allowFailure: true, "clone", "--quiet", url, Path.Combine(sandbox.Home, "stolen"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Permission denied (publickey)", refused.StandardError);
        Assert.False(Directory.Exists(Path.Combine(sandbox.Home, "stolen")));

        // The uploaded key gets no shell: its forced command only serves git on 'code'.
        var shell = await new Command("ssh", [.. SshOptions(sandbox.Home, key), "-p", uri.Port.ToString(), $"{uri.UserInfo}@{uri.Host}", "cat /etc/passwd"]).RunAsync(CancellationToken.None, allowFailure: true);
        Assert.NotEqual(0, shell.ExitCode);
        Assert.Equal("", shell.StandardOutput);
        Assert.Contains("this key only clones, fetches and pushes the application's repository 'code'", shell.StandardError);
        var other = await GitAsync(sandbox.Home, key, allowFailure: true, "clone", "--quiet", $"ssh://{uri.UserInfo}@{uri.Host}:{uri.Port}/etc", Path.Combine(sandbox.Home, "etc"));
        Assert.NotEqual(0, other.ExitCode);

        // Keys that would carry sshd options or extra lines into authorized_keys are refused.
        var smuggled = Path.Combine(sandbox.Home, "smuggled.pub");
        File.WriteAllText(smuggled, "command=\"/bin/sh\" " + File.ReadAllText(stranger + ".pub"));
        Assert.StartsWith("ERROR: that is not an SSH public key", (await sandbox.CpsToolsAsync("generic", "upload_key", "1", "1", smuggled)).StandardError);
        File.WriteAllText(smuggled, File.ReadAllText(key + ".pub").Trim() + "\n" + File.ReadAllText(stranger + ".pub"));
        Assert.StartsWith("ERROR: an SSH public key is one line", (await sandbox.CpsToolsAsync("generic", "upload_key", "1", "1", smuggled)).StandardError);
        File.WriteAllText(smuggled, "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== forged");
        Assert.StartsWith("ERROR: that is not an SSH public key: its data is not a ssh-ed25519 key", (await sandbox.CpsToolsAsync("generic", "upload_key", "1", "1", smuggled)).StandardError);
        Assert.Equal(File.ReadAllText(key + ".pub"), await sandbox.CpsToolsOkAsync("generic", "list_keys", "1", "1"));
    }

    [Fact]
    public async Task Without_its_sshd_the_manager_still_works_and_says_why_git_is_off()
    {
        await using var sandbox = await Sandbox.StartAsync();
        // The first node of the sandbox's subnet is the application's manager: take its git port first.
        var manager = System.Net.IPAddress.Parse(sandbox.Subnet.Split('/')[0][..^1] + "2");
        using var squatter = new System.Net.Sockets.TcpListener(manager, 2222);
        squatter.Start();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await sandbox.CpsToolsOkAsync("application", "create", "git");
        await sandbox.CpsToolsOkAsync("application", "start", "1");
        await sandbox.CpsToolsOkAsync("service", "add", "generic", "1");
        var key = NewKey(sandbox.Home, "user");

        var refused = await sandbox.CpsToolsAsync("generic", "upload_key", "1", "1", key + ".pub");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"ERROR: git push deployment is not available on this manager: sshd exited with 255 instead of listening on {manager}:2222", refused.StandardError);
        Assert.Contains("Address already in use", refused.StandardError);
        Assert.Contains("code-default", await sandbox.CpsToolsOkAsync("generic", "list_codes", "1", "1"));
    }

    internal static string NewKey(string directory, string name)
    {
        var path = Path.Combine(directory, name + "_ed25519");
        HostTool.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@test", "-f", path);
        return path;
    }

    private static string[] SshOptions(string home, string key) =>
        ["-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", $"UserKnownHostsFile={Path.Combine(home, "known_hosts")}", "-o", "LogLevel=ERROR"];

    private static Task<CommandResult> GitAsync(string directory, string key, params string[] arguments) => GitAsync(directory, key, false, arguments);

    private static Task<CommandResult> GitAsync(string directory, string key, bool allowFailure, params string[] arguments) =>
        new Command("git", arguments) { WorkingDirectory = directory }
            .WithEnvironment("GIT_SSH_COMMAND", "ssh " + string.Join(' ', SshOptions(Path.GetDirectoryName(key)!, key).Select(o => $"'{o}'")))
            .WithEnvironment("GIT_AUTHOR_NAME", "Test").WithEnvironment("GIT_AUTHOR_EMAIL", "test@example.org")
            .WithEnvironment("GIT_COMMITTER_NAME", "Test").WithEnvironment("GIT_COMMITTER_EMAIL", "test@example.org")
            .WithEnvironment("GIT_CONFIG_NOSYSTEM", "1").WithEnvironment("HOME", Path.GetDirectoryName(key))
            .RunAsync(CancellationToken.None, allowFailure);
}
