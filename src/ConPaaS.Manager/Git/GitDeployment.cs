using ConPaaS.Node;

namespace ConPaaS.Manager.Git;

/// <summary>Git push deployment for one application: its repository and the sshd that serves it.</summary>
public sealed class GitDeployment(GitRepository repository, SshGitServer server) : IAsyncDisposable
{
    public GitRepository Repository => repository;
    public string CloneUrl => server.CloneUrl;

    /// <summary>Sets it up in the manager's state directory (git/), listening on the manager's address at GIT_PORT.</summary>
    public static async Task<GitDeployment> StartAsync(NodeContext context, string configPath, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(context.StateDirectory, "git");
        var hook = new[] { Environment.ProcessPath!, "git-push-hook", "--config", Path.GetFullPath(configPath) };
        var repository = await GitRepository.OpenAsync(directory, hook, cancellationToken);
        var server = await SshGitServer.StartAsync(repository, directory, new System.Net.IPEndPoint(context.Listen.Address, context.GitPort), cancellationToken);
        return new GitDeployment(repository, server);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
