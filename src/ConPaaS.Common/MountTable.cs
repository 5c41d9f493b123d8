namespace ConPaaS.Common;

/// <summary>This process's view of the mounts (/proc/self/mountinfo).</summary>
public static class MountTable
{
    /// <summary>Whether something is mounted at <paramref name="path"/> (mountinfo's fifth field, the mount point).</summary>
    public static bool IsMountPoint(string path) =>
        File.Exists("/proc/self/mountinfo") && File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] == path);
}
