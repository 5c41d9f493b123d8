using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// Volumes as both drivers keep them: a sparse file holding an ext4 filesystem made by mke2fs (never mounted by the
/// director), USERDATA_DIR/volumes/ID.img, shown to a node as a hard link in its volumes directory
/// (USERDATA_DIR/nodes/VMID/volumes/NAME: below a local node's root, bound into a container at /volumes). A hard
/// link, not a symbolic one, since a confined node or a container cannot see the director's data; made through a
/// directory handle opened without following links, so a node that swaps its volumes directory for a link cannot
/// make root write elsewhere.
/// </summary>
public sealed class VolumeFiles(string volumesDirectory, string nodesDirectory)
{
    public string Directory { get; } = volumesDirectory;

    public string Path(string id) => System.IO.Path.Combine(Directory, id + ".img");

    public string NodeDirectory(string vmid) => System.IO.Path.Combine(nodesDirectory, vmid, "volumes");

    public async Task CreateAsync(string id, long sizeMb, CancellationToken cancellationToken)
    {
        using var volume = Common.AtomicFile.Create(Path(id));
        volume.Stream.SetLength(sizeMb << 20);
        await new Command("mke2fs", "-q", "-F", "-t", "ext4", "-L", id.Length <= 16 ? id : id[..16], volume.TemporaryPath)
            .Contained().RunAsync(cancellationToken);
        volume.Commit();
    }

    public void Destroy(string id) => File.Delete(Path(id));

    /// <param name="owner">The user the node runs as, when it is not root: the volume and the directory become its.</param>
    public void Attach(string id, string vmid, string name, uint? owner)
    {
        var directory = NodeDirectory(vmid);
        System.IO.Directory.CreateDirectory(directory);
        if (owner is { } uid)
        {
            UnixFiles.ChangeOwner(directory, uid, uid);
            UnixFiles.ChangeOwner(Path(id), uid, uid);
            File.SetUnixFileMode(Path(id), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        UnixFiles.HardLinkInto(Path(id), directory, name);
    }

    public void Detach(string vmid, string name) => UnixFiles.RemoveFrom(NodeDirectory(vmid), name);
}
