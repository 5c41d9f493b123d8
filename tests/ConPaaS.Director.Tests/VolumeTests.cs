using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>The manager-side volume calls on the local driver: real ext4 in a sparse file, judged by blkid and e2fsck.</summary>
public class VolumeTests
{
    [Fact]
    public async Task A_volume_is_created_attached_detached_and_destroyed()
    {
        await using var sandbox = await Sandbox.WithStartedApplicationAsync("stateful");
        var vmid = sandbox.Sql("SELECT vmid FROM applications WHERE aid = 1");
        using var manager = sandbox.Client(sandbox.Certificate(new CertificateIdentity(1, Roles.Manager, 1, "manager")));

        async Task<(HttpStatusCode, JsonObject)> Call(string path, params (string, string)[] form)
        {
            using var response = await manager.PostAsync(new Uri(sandbox.Url, path), new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
        }

        var (status, created) = await Call("/create_volume", ("volume_name", "data"), ("volume_size", "24"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(24, created["size_mb"]!.GetValue<long>());
        var file = Path.Combine(sandbox.Directory, "data", "volumes", "vol-00000001.img");
        Assert.Equal(24L << 20, new FileInfo(file).Length);
        Assert.Contains("TYPE=\"ext4\"", HostTool.Run("blkid", file));
        Assert.Equal(0, HostTool.Try("e2fsck", "-fn", file).ExitCode);
        Assert.True(long.Parse(HostTool.Run("du", "-k", file).Split('\t')[0]) < 24 * 1024 / 2, "the volume file is not sparse");

        Assert.Equal(HttpStatusCode.Conflict, (await Call("/create_volume", ("volume_name", "data"), ("volume_size", "1"))).Item1);
        Assert.Equal(HttpStatusCode.BadRequest, (await Call("/create_volume", ("volume_name", "../escape"), ("volume_size", "1"))).Item1);
        Assert.Equal(HttpStatusCode.BadRequest, (await Call("/create_volume", ("volume_name", "x"), ("volume_size", "0"))).Item1);

        Assert.Equal(HttpStatusCode.OK, (await Call("/attach_volume", ("volume_name", "data"), ("vmid", vmid))).Item1);
        var link = Path.Combine(sandbox.Directory, "data", "nodes", vmid, "volumes", "data");
        // The same file under a second name (stat's device and inode), not a link into the director's data.
        Assert.Equal(HostTool.Run("stat", "-c", "%d:%i", file), HostTool.Run("stat", "-c", "%d:%i", link));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(HttpStatusCode.Conflict, (await Call("/destroy_volume", ("volume_name", "data"))).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Call("/detach_volume", ("volume_name", "data"))).Item1);
        Assert.False(File.Exists(link));

        // A node owns its directory and may swap its volumes directory for a link to one of root's: the attach is
        // refused and nothing appears there.
        using var elsewhere = new TempDirectory();
        var volumes = Path.GetDirectoryName(link)!;
        Directory.Delete(volumes);
        File.CreateSymbolicLink(volumes, elsewhere.Path);
        var (swapped, answer) = await Call("/attach_volume", ("volume_name", "data"), ("vmid", vmid));
        Assert.Equal(HttpStatusCode.Conflict, swapped);
        Assert.Contains("a symbolic link is refused", answer["error"]!.GetValue<string>());
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere.Path));

        Assert.Equal(HttpStatusCode.OK, (await Call("/destroy_volume", ("volume_name", "data"))).Item1);
        Assert.False(File.Exists(file));
        Assert.Equal("0", sandbox.Sql("SELECT COUNT(*) FROM volumes"));
    }
}
