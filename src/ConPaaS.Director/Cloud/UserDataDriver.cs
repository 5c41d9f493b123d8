using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// What both drivers keep below USERDATA_DIR, the same way: each node's directory (nodes/VMID), each application's
/// manager state (applications/AID, handed to every manager it starts), and volumes. A volume is a sparse file holding
/// an ext4 filesystem made by mke2fs (never mounted by the director), volumes/ID.img, shown to a local node as a hard
/// link in its volumes directory (nodes/VMID/volumes/NAME, below its root; containers get block devices instead).
/// A hard link, not a symbolic one, since a confined node or a container cannot see the director's data; made through
/// a directory handle opened without following links, so a node that swaps its volumes directory for a link cannot
/// make root write elsewhere.
/// </summary>
public abstract class UserDataDriver(string userDataDirectory)
{
    public string NodesDirectory => Path.Combine(userDataDirectory, "nodes");

    public string NodeDirectory(string vmid) => Path.Combine(NodesDirectory, vmid);

    /// <summary>What the application's managers keep, one after the other.</summary>
    protected string ApplicationState(long appId) =>
        Path.Combine(userDataDirectory, "applications", appId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task DeleteApplicationStateAsync(long appId)
    {
        if (Directory.Exists(ApplicationState(appId))) Directory.Delete(ApplicationState(appId), recursive: true);
        return Task.CompletedTask;
    }

    public int VolumeUnitMb => 1;

    protected string VolumePath(string id) => Path.Combine(userDataDirectory, "volumes", id + ".img");

    private string NodeVolumes(string vmid) => Path.Combine(NodeDirectory(vmid), "volumes");

    /// <summary>The user a node runs as when it is not root (a confined local node): its volumes become its own.</summary>
    protected virtual uint? VolumeOwner(string vmid) => null;

    public async Task CreateVolumeAsync(string id, long sizeMb, CancellationToken cancellationToken)
    {
        using var volume = Common.AtomicFile.Create(VolumePath(id));
        volume.Stream.SetLength(sizeMb << 20);
        await new Command("mke2fs", "-q", "-F", "-t", "ext4", "-L", id.Length <= 16 ? id : id[..16], volume.TemporaryPath)
            .Contained().RunAsync(cancellationToken);
        volume.Commit();
    }

    public Task DestroyVolumeAsync(string id)
    {
        File.Delete(VolumePath(id));
        return Task.CompletedTask;
    }

    public virtual Task<AttachedDevice?> AttachVolumeAsync(string id, string vmid, string name)
    {
        var directory = NodeVolumes(vmid);
        Directory.CreateDirectory(directory);
        if (VolumeOwner(vmid) is { } uid)
        {
            UnixFiles.ChangeOwner(directory, uid, uid);
            UnixFiles.ChangeOwner(VolumePath(id), uid, uid);
            File.SetUnixFileMode(VolumePath(id), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        UnixFiles.HardLinkInto(VolumePath(id), directory, name);
        return Task.FromResult<AttachedDevice?>(null);
    }

    /// <summary>A node whose directory is gone already (a stopped container's) has nothing to detach.</summary>
    public virtual Task DetachVolumeAsync(string id, string vmid, string name)
    {
        if (Directory.Exists(NodeVolumes(vmid))) UnixFiles.RemoveFrom(NodeVolumes(vmid), name);
        return Task.CompletedTask;
    }
}
