using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>
/// conpaas-node-host, the container host's side of the libvirt driver and, on a Pi, the only command the backend's key
/// may run: a request that is not one of its verbs, or whose arguments do not look like what they stand for, is refused
/// before anything is touched. (What the accepted verbs do is tested where they can run: in the booted Nutshell.)
/// </summary>
public class NodeHostScriptTests
{
    private static readonly string Script = Path.Combine(Repository.Root, "appliance/container-host/overlay/usr/local/sbin/conpaas-node-host");

    private static Task<CommandResult> OverSsh(string request) =>
        new Command("sh", Script).WithEnvironment("SSH_ORIGINAL_COMMAND", request).RunAsync(CancellationToken.None, allowFailure: true);

    [Theory]
    [InlineData("rm -rf /", "refused: 'rm -rf /'")]
    [InlineData("", "refused: ''")]
    [InlineData("prepare ../etc 172.16.0.225 /var/lib/conpaas/container", "'../etc' is not a node id")]
    [InlineData("prepare libvirt-00000001 172.16.0.225 /var/lib/../../etc", "'/var/lib/../../etc' holds '..'")]
    [InlineData("prepare libvirt-00000001 172.16.0.225 relative", "'relative' is not an absolute path")]
    [InlineData("prepare libvirt-00000001 $(reboot) /b", "'$(reboot)' is not an IPv4 address")]
    [InlineData("prepare libvirt-00000001 172.16.0.225 /b 1;2", "'1;2' is not a number")]
    [InlineData("cleanup libvirt-1/../..", "'libvirt-1/../..' is not a node id")]
    [InlineData("cleanup", "cleanup takes VMID")]
    [InlineData("forget-application *", "'*' is not a number")]
    [InlineData("volume-create vol-1/x 10", "'vol-1/x' is not a volume id")]
    [InlineData("volume-create vol-00000001 10M", "'10M' is not a number")]
    [InlineData("volume-attach /etc/shadow", "'/etc/shadow' is not a volume id")]
    [InlineData("loop-detach /dev/sda", "'/dev/sda' is not a loop device")]
    [InlineData("loop-detach /dev/loop0x", "'/dev/loop0x' is not a loop device")]
    public async Task Requests_it_does_not_know_are_refused(string request, string expected)
    {
        var result = await OverSsh(request);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task Check_names_each_problem_on_a_line()
    {
        var result = await OverSsh("check /nonexistent/base no-such-bridge");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            "the container image at /nonexistent/base has no /usr/local/lib/conpaas/cpsmanager ([iaas] LIBVIRT_BASE)",
            "the container image at /nonexistent/base has no /usr/local/lib/conpaas/cpsagent ([iaas] LIBVIRT_BASE)",
            "there is no bridge 'no-such-bridge' ([iaas] LIBVIRT_BRIDGE)",
        ], result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
