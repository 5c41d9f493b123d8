using ConPaaS.Platform.Rpc;

namespace ConPaaS.Frontend.Sessions;

/// <summary>
/// A logged-in user as the frontend holds them, in memory only: their certificate and key (in the TLS clients that
/// present them, and as the certs.zip the director sent, for the user to download), never their password, never
/// on disk. Dropped at logout, after <see cref="FrontendSettings.SessionIdle"/>, or when the frontend stops.
/// </summary>
public sealed class UserSession(string username, long uid, byte[] certificatesZip, HttpClient director, NodeRpcClients nodes) : IDisposable
{
    private long _lastSeenTicks = DateTimeOffset.UtcNow.UtcTicks;

    public string Username { get; } = username;
    public long Uid { get; } = uid;
    public byte[] CertificatesZip { get; } = certificatesZip;

    /// <summary>To the director, presenting the user's certificate.</summary>
    public HttpClient Director { get; } = director;

    /// <summary>To the user's application managers, presenting the user's certificate.</summary>
    public NodeRpcClients Nodes { get; } = nodes;

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastSeenTicks, DateTimeOffset.UtcNow.UtcTicks);

    public void Dispose()
    {
        Director.Dispose();
        Nodes.Dispose();
    }
}
