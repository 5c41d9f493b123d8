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

    /// <summary>Runs <paramref name="start"/> on the starter thread and returns what it returned (or throws what it
    /// threw). It must fork synchronously, as CliWrap's <c>ExecuteAsync</c> does before it returns its task.</summary>
    public static T Run<T>(Func<T> start)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                done.SetResult(start());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }
}
