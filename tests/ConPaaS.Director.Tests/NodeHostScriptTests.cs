using ConPaaS.Processes;

namespace ConPaaS.Director.Tests;

/// <summary>
/// conpaas-node-host, the container host's side of the libvirt driver and, on a Pi, the only command the backend's key
/// may run: a request that is not one of its verbs, or whose arguments do not look like what they stand for, is refused
/// before anything is touched. The verbs that need no mount run here against a directory of the test's, judged by
/// mke2fs's own tools and tar; prepare and the loop devices run in the booted Nutshell (NutshellTest).
/// </summary>
public class NodeHostScriptTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private Task<CommandResult> Run(params string[] request) =>
        new Command("sh", [Script, .. request]).WithEnvironment("CONPAAS_NODE_HOST_DATA", _data.Path).RunAsync(CancellationToken.None, allowFailure: true);

    private void PrepareNode(string vmid, string address)
    {
        Directory.CreateDirectory(_data.File($"nodes/{vmid}/root"));
        File.WriteAllText(_data.File($"nodes/{vmid}/address"), address + "\n");
    }

    [Fact]
    public async Task Addresses_lists_every_node_prepared_here()
    {
        Assert.Equal("", (await Run("addresses")).StandardOutput);
        PrepareNode("libvirt-00000001", "172.16.0.225");
        PrepareNode("libvirt-00000002", "172.16.0.226");
        var result = await Run("addresses");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("libvirt-00000001 172.16.0.225\nlibvirt-00000002 172.16.0.226\n", result.StandardOutput);
    }

    [Fact]
    public async Task A_volume_is_an_ext4_filesystem_of_the_size_asked()
    {
        Assert.Equal(0, (await Run("volume-create", "vol-00000007", "16")).ExitCode);
        var image = _data.File("volumes/vol-00000007.img");
        Assert.Equal(16L << 20, new FileInfo(image).Length);
        var header = await new Command("dumpe2fs", "-h", image).RunAsync(CancellationToken.None);
        Assert.Contains("Filesystem volume name:   vol-00000007", header.StandardOutput);
        Assert.Equal(0, (await Run("volume-destroy", "vol-00000007")).ExitCode);
        Assert.False(File.Exists(image));
    }

    [Fact]
    public async Task The_container_image_is_installed_once_and_kept_while_nodes_run_on_it()
    {
        var tree = _data.File("source");
        Directory.CreateDirectory(Path.Combine(tree, "usr/local/lib/conpaas"));
        File.WriteAllText(Path.Combine(tree, "usr/local/lib/conpaas/cpsagent"), "agent");
        var archive = _data.File("image.tar.xz");
        await new Command("tar", "-cJf", archive, "-C", tree, ".").RunAsync(CancellationToken.None);
        var @base = _data.File("container");
        Assert.Equal("", (await Run("base-id", @base)).StandardOutput);

        // Streamed from the file, as the director sends it (NodeHost.InstallBaseAsync).
        var installed = await (new Command("sh", Script, "install-base", @base, "0a1b") with { StandardInputFile = archive })
            .WithEnvironment("CONPAAS_NODE_HOST_DATA", _data.Path).RunAsync(CancellationToken.None, allowFailure: true);
        Assert.Equal(0, installed.ExitCode);
        Assert.Equal("agent", File.ReadAllText(Path.Combine(@base, "usr/local/lib/conpaas/cpsagent")));
        Assert.Equal("0a1b\n", (await Run("base-id", @base)).StandardOutput);

        PrepareNode("libvirt-00000001", "172.16.0.225");
        var busy = await (new Command("sh", Script, "install-base", @base, "ffff") with { StandardInputFile = archive })
            .WithEnvironment("CONPAAS_NODE_HOST_DATA", _data.Path).RunAsync(CancellationToken.None, allowFailure: true);
        Assert.Equal(3, busy.ExitCode);
        Assert.Equal("0a1b\n", (await Run("base-id", @base)).StandardOutput);
    }

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
    [InlineData("install-base /var/lib/conpaas/container ../1", "'../1' is not an id")]
    [InlineData("install-base relative 0a1b", "'relative' is not an absolute path")]
    [InlineData("base-id /var/../etc", "'/var/../etc' holds '..'")]
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
        var result = await OverSsh("check no-such-bridge /nonexistent/base");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
        [
            "there is no bridge 'no-such-bridge' ([iaas] LIBVIRT_BRIDGE)",
            "the container image at /nonexistent/base has no /usr/local/lib/conpaas/cpsmanager ([iaas] LIBVIRT_BASE)",
            "the container image at /nonexistent/base has no /usr/local/lib/conpaas/cpsagent ([iaas] LIBVIRT_BASE)",
        ], result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // Without BASE (the director brings the image), only the bridge.
        Assert.Equal("there is no bridge 'no-such-bridge' ([iaas] LIBVIRT_BRIDGE)", (await OverSsh("check no-such-bridge")).StandardError.Trim());
    }
}
