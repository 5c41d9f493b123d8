using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Processes;

namespace ConPaaS.Manager.Git;

/// <summary>
/// Git push deployment set up beside the manager's start, not before it: the repository and its sshd took 2.8 s of a
/// manager's 4.3 s start in a container under emulation, and only git's own calls need them. When it cannot be set up
/// the rest of the manager works (uploads of archives still deploy code) and git's calls answer why.
/// </summary>
public sealed class GitStartup : IAsyncDisposable
{
    private readonly Task<GitDeployment> _starting;

    public GitStartup(NodeContext context, string configPath, ManagerLog log) =>
        _starting = Task.Run(() => StartAsync(context, configPath, log));

    private static async Task<GitDeployment> StartAsync(NodeContext context, string configPath, ManagerLog log)
    {
        try
        {
            var git = await GitDeployment.StartAsync(context, configPath, CancellationToken.None);
            log.Write($"git repository served at {git.CloneUrl}");
            return git;
        }
        catch (Exception e) when (e is ToolFailedException or IOException or RpcException)
        {
            log.Write($"git push deployment is off: {e.Message}");
            throw new RpcException($"git push deployment is not available on this manager: {e.Message}");
        }
    }

    /// <summary>The deployment once it is set up; an <see cref="RpcException"/> saying why when it could not be.</summary>
    public Task<GitDeployment> DeploymentAsync() => _starting;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await _starting).DisposeAsync();
        }
        catch (RpcException)
        {
            // never started: nothing to stop
        }
    }
}
