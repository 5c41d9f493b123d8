using ConPaaS.Platform.Services;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Notices a running application whose manager died (every 2 s, so within 10 s as promised): the application goes to
/// ERROR, its remaining nodes are stopped so nothing more is charged for them, and <c>application start</c> brings
/// it back with its services and everything its managers kept.
/// </summary>
public sealed class ManagerWatcher(Applications applications, ILogger<ManagerWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var aid in applications.WithLostManagers())
                {
                    logger.LogWarning("application {Aid}: its manager is gone; the application is in ERROR and its nodes are stopped", aid);
                    await applications.ManagerLostAsync(aid);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "watching managers failed; retrying at the next tick");
            }
        }
    }
}
