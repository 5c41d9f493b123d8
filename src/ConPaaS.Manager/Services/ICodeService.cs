using ConPaaS.Manager.Git;

namespace ConPaaS.Manager.Services;

/// <summary>A service that runs code versions: uploaded archives, manifests' Archive, and git pushes (its directory
/// <c>ID/</c> of the application's repository).</summary>
public interface ICodeService
{
    long Id { get; }

    CodeVersions Codes { get; }

    /// <summary>The service's directory (<c>ID/</c>) in <paramref name="commit"/> as a code version; null when it has
    /// none. The application manager logs and reports the outcome for every service at once.</summary>
    Task<CodeVersion?> AddGitVersionAsync(GitRepository repository, string commit, CancellationToken cancellationToken) =>
        Codes.AddGitAsync(repository, commit, Id, cancellationToken);
}
