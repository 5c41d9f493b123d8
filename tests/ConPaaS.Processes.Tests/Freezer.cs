namespace ConPaaS.Processes.Tests;

/// <summary>
/// A cgroup v1 freezer group holding one process: frozen, the process sits in the kernel and SIGKILL cannot end it
/// until it is thawed. That is the stuck tool a kill must not wait for forever. Needs root and the v1 freezer
/// (mounted on this machine, see /sys/fs/cgroup/freezer).
/// </summary>
internal sealed class Freezer : IDisposable
{
    private const string Root = "/sys/fs/cgroup/freezer";

    private readonly string _group = Path.Combine(Root, "conpaas-test-" + Guid.NewGuid().ToString("N"));

    public static async Task<Freezer> FreezeAsync(int pid)
    {
        Assert.True(Directory.Exists(Root), $"{Root} is missing: these tests need root and the cgroup v1 freezer");
        var freezer = new Freezer();
        Directory.CreateDirectory(freezer._group);
        File.WriteAllText(Path.Combine(freezer._group, "cgroup.procs"), pid.ToString());
        File.WriteAllText(Path.Combine(freezer._group, "freezer.state"), "FROZEN");
        while (File.ReadAllText(Path.Combine(freezer._group, "freezer.state")).Trim() != "FROZEN") await Task.Delay(10);
        return freezer;
    }

    /// <summary>Thaws the process (a pending SIGKILL then ends it) and removes the group.</summary>
    public void Dispose()
    {
        File.WriteAllText(Path.Combine(_group, "freezer.state"), "THAWED");
        // A process still alive (the test failed before killing it) goes back to the root group, or rmdir fails. One
        // that a pending SIGKILL ends between the read and the write is gone already (ESRCH: "No such process", seen
        // in a CI run); the group then empties by itself, so rmdir is tried again for a while.
        foreach (var pid in File.ReadAllLines(Path.Combine(_group, "cgroup.procs")))
        {
            try
            {
                File.WriteAllText(Path.Combine(Root, "cgroup.procs"), pid);
            }
            catch (IOException)
            {
                // Gone, or going (a zombie): the rmdir below is the judge.
            }
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(_group);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }
}
