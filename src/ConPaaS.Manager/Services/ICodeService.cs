using ConPaaS.Manager.Git;

namespace ConPaaS.Manager.Services;

/// <summary>A service that runs code versions: uploaded archives, manifests' Archive, and git pushes (its directory
/// <c>ID/</c> of the application's repository).</summary>
public interface ICodeService
{
    long Id { get; }

    CodeVersions Codes { get; }

    /// <summary>The service's directory in <paramref name="commit"/> as a code version; null when it has none.</summary>
    Task<CodeVersion?> AddGitVersionAsync(GitRepository repository, string commit, CancellationToken cancellationToken);
}
