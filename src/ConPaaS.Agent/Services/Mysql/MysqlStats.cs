using System.Globalization;
using System.Text.Json.Nodes;

namespace ConPaaS.Agent.Services.Mysql;

/// <summary>
/// What the seeds' "Performance Monitor" shows for a node: queries per second, the load, memory, CPU and network
/// use, and Galera's receive-queue average. Rates are over the time since the previous sample (the first sample's
/// queries per second are over MariaDB's whole uptime). Read from /proc: in a container that is the container's
/// view of the machine; on the local driver, the machine's.
/// </summary>
public sealed class MysqlStats
{
    /// <summary>The shortest time a sample's rates cover.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private (DateTime Time, long Questions, long CpuBusy, long CpuTotal, long NetworkBytes)? _previous;
    private JsonObject? _last;

    /// <summary>The last sample while it is younger than <see cref="Window"/>; null when a new one is due.</summary>
    public JsonObject? Recent()
    {
        lock (_gate)
            return _last is not null && _previous is { } p && DateTime.UtcNow - p.Time < Window ? (JsonObject)_last.DeepClone() : null;
    }

    public JsonObject Sample(IReadOnlyDictionary<string, string> status)
    {
        var now = DateTime.UtcNow;
        var questions = Long(status, "Questions");
        var (busy, total) = Cpu();
        var network = NetworkBytes();
        lock (_gate)
        {
            var previous = _previous;
            _previous = (now, questions, busy, total, network);
            var seconds = previous is { } p ? Math.Max((now - p.Time).TotalSeconds, 0.001) : 0;
            double? queriesPerSecond = previous is { } q ? Math.Max(0, questions - q.Questions) / seconds
                : Long(status, "Uptime") is > 0 and var uptime ? (double)questions / uptime : null;
            double? cpuPercent = previous is { } c && total > c.CpuTotal ? 100.0 * (busy - c.CpuBusy) / (total - c.CpuTotal) : null;
            double? networkBytesPerSecond = previous is { } n ? Math.Max(0, network - n.NetworkBytes) / seconds : null;
            var memory = Memory();
            _last = new JsonObject
            {
                ["queriesPerSecond"] = Round(queriesPerSecond),
                ["connections"] = Long(status, "Threads_connected"),
                ["clusterSize"] = Long(status, "wsrep_cluster_size"),
                ["state"] = status.GetValueOrDefault("wsrep_local_state_comment") ?? "not running",
                ["recvQueueAvg"] = double.TryParse(status.GetValueOrDefault("wsrep_local_recv_queue_avg"), CultureInfo.InvariantCulture, out var queue) ? queue : null,
                ["load1"] = double.Parse(Read("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture),
                ["memoryTotalBytes"] = memory.Total,
                ["memoryUsedBytes"] = memory.Total - memory.Available,
                ["cpuPercent"] = Round(cpuPercent),
                ["networkBytesPerSecond"] = Round(networkBytesPerSecond),
            };
            return (JsonObject)_last.DeepClone();
        }
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;

    private static long Long(IReadOnlyDictionary<string, string> status, string name) =>
        long.TryParse(status.GetValueOrDefault(name), CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The first line of /proc/stat: busy and total jiffies (idle and iowait are not busy).</summary>
    private static (long Busy, long Total) Cpu()
    {
        var fields = Read("/proc/stat").Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - (fields.Length > 4 ? fields[4] : 0), total);
    }

    private static (long Total, long Available) Memory()
    {
        var lines = Read("/proc/meminfo").Split('\n');
        long Field(string name) => lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
        return (Field("MemTotal"), Field("MemAvailable"));
    }

    /// <summary>Bytes received and sent on every interface but loopback (loopback's when it is the only one).</summary>
    private static long NetworkBytes()
    {
        var interfaces = Read("/proc/net/dev").Split('\n').Skip(2).Where(l => l.Contains(':'))
            .Select(l => (Name: l[..l.IndexOf(':')].Trim(), Fields: l[(l.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
        var chosen = interfaces.Where(i => i.Name != "lo").ToList() is { Count: > 0 } others ? others : interfaces;
        return chosen.Sum(i => long.Parse(i.Fields[0], CultureInfo.InvariantCulture) + long.Parse(i.Fields[8], CultureInfo.InvariantCulture));
    }

    private static string Read(string path) => File.ReadAllText(path);
}
