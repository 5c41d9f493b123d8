using System.Collections.Concurrent;

namespace ConPaaS.Processes;

/// <summary>
/// Starts child processes from one thread that lives as long as the program. Linux delivers a parent-death signal
/// (setpriv --pdeathsig, used by <see cref="Command.Contained"/>) when the *thread* that forked the child ends, not
/// the process; a thread-pool thread retiring would kill a contained tool mid-build. This thread never retires.
/// </summary>
internal static class StarterThread
{
    private static readonly BlockingCollection<Action> Work = [];

    static StarterThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var action in Work.GetConsumingEnumerable()) action();
        })
        {
            IsBackground = true,
            Name = "process starter",
        };
        thread.Start();
    }

    public static void Start(System.Diagnostics.Process process)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                process.Start();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        done.Task.GetAwaiter().GetResult();
    }
}
