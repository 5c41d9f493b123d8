using ConPaaS.Director.Data;
using Dapper;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// One credit is one node for one period (CREDIT_PERIOD, an hour). Each node is charged when it starts (by Nodes, as
/// it is recorded) and again, here, at the start of every further period it runs. When a charge is due and the owner
/// has no credit left, all of the owner's applications are stopped instead, so credit never goes below zero.
/// </summary>
public sealed class CreditCharger(Database database, Applications applications, DirectorSettings settings, ILogger<CreditCharger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(settings.CreditPeriodSeconds * 1000 / 4, 100, 5000));
        using var timer = new PeriodicTimer(tick);
        do
        {
            try
            {
                foreach (var aid in ChargeDueNodes(DateTimeOffset.UtcNow))
                {
                    logger.LogWarning("credit exhausted: stopping application {Aid}", aid);
                    await applications.StopAsync(aid, requireRunning: false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "credit charging failed; retrying at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Charges what is due in one transaction; returns the applications of users who could not pay.</summary>
    public IReadOnlyList<long> ChargeDueNodes(DateTimeOffset now) => database.Write((connection, transaction) =>
    {
        var broke = new HashSet<long>();
        var rows = connection.Query<(long Rid, long Uid, string Created, long Charged)>(
            "SELECT r.rid, a.uid, r.created, r.charged FROM resources r JOIN applications a ON a.aid = r.app_id ORDER BY r.rid",
            transaction: transaction).ToList();
        foreach (var (rid, uid, created, charged) in rows)
        {
            var elapsed = now - DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture);
            var due = (long)Math.Floor(Math.Max(0, elapsed.TotalSeconds) / settings.CreditPeriodSeconds) + 1 - charged;
            if (due <= 0 || broke.Contains(uid)) continue;
            var paid = connection.Execute("UPDATE users SET credit = credit - @due WHERE uid = @uid AND credit >= @due", new { due, uid }, transaction);
            if (paid == 1)
                connection.Execute("UPDATE resources SET charged = charged + @due WHERE rid = @rid", new { due, rid }, transaction);
            else
                broke.Add(uid);
        }
        return broke.Count == 0
            ? []
            : connection.Query<long>("SELECT DISTINCT app_id FROM resources WHERE app_id IN (SELECT aid FROM applications WHERE uid IN @broke)",
                new { broke }, transaction).ToList();
    });
}
