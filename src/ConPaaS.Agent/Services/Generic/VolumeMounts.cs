using System.Text.RegularExpressions;
using ConPaaS.Platform.Rpc;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Generic;

/// <summary>
/// A volume that the cloud driver added to this container as a disk, mounted where the manager says (the libvirt
/// driver's /volumes/NAME). Only disk devices and mount points below /volumes are accepted. Unmounting what is not
/// mounted is not an error, so a volume whose mount failed can still be deleted.
/// </summary>
public static partial class VolumeMounts
{
    [GeneratedRegex("^/dev/sd[a-z]{1,3}$")]
    private static partial Regex Device();

    [GeneratedRegex("^/volumes/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex MountPoint();

    public static async Task<bool> MountAsync(string device, string mountPoint, CancellationToken cancellationToken)
    {
        if (!Device().IsMatch(device)) throw new RpcException($"'{device}' is not a volume's disk (/dev/sdX)");
        Check(mountPoint);
        Directory.CreateDirectory(mountPoint);
        var mounted = await new Command("mount", "-t", "ext4", device, mountPoint).RunAsync(cancellationToken, allowFailure: true);
        if (!mounted.Succeeded) throw new RpcException($"cannot mount {device} at {mountPoint}: {mounted.StandardError.Trim()}");
        return true;
    }

    public static async Task<bool> UnmountAsync(string mountPoint, CancellationToken cancellationToken)
    {
        Check(mountPoint);
        if (Common.MountTable.IsMountPoint(mountPoint))
        {
            var unmounted = await new Command("umount", mountPoint).RunAsync(cancellationToken, allowFailure: true);
            if (!unmounted.Succeeded) throw new RpcException($"cannot unmount {mountPoint}: {unmounted.StandardError.Trim()}");
        }
        if (Directory.Exists(mountPoint) && !Directory.EnumerateFileSystemEntries(mountPoint).Any()) Directory.Delete(mountPoint);
        return true;
    }

    private static void Check(string mountPoint)
    {
        if (!MountPoint().IsMatch(mountPoint)) throw new RpcException($"'{mountPoint}' is not a volume's mount point (/volumes/NAME)");
    }
}
