using System.Diagnostics;
using System.Text.RegularExpressions;
using ConPaaS.Processes;

namespace ConPaaS.Testing;

/// <summary>
/// What every cloud driver must do, as a user meets it through cps-tools: nodes started and stopped, addresses from
/// the driver's pool, volumes made, attached and deleted, a node killed behind the platform's back noticed, reported
/// and replaced, a director restart (running nodes found again where they outlive it, the application startable again
/// where they do not), and nothing left running after a stop. One sequence, judged the same way for every driver:
/// the local driver runs it in the ordinary tests, the libvirt driver inside the booted Nutshell (NutshellTest).
/// </summary>
public abstract class DriverConformance
{
    /// <summary>Runs the real cps-tools, as a user holding a certificate.</summary>
    protected abstract Task<CommandResult> CpsToolsAsync(params string[] arguments);

    /// <summary>Kills a node from outside, as a crash or an operator would (SIGKILL, <c>virsh destroy</c>).</summary>
    protected abstract Task KillNodeAsync(string vmid);

    /// <summary>Whether anything of the node still runs, asked of the cloud itself, not of the director.</summary>
    protected abstract Task<bool> IsNodeRunningAsync(string vmid);

    /// <summary>What the node sees of its volume <paramref name="name"/>, asked of the node's own view by a tool we did
    /// not write (blkid on the local node's file, findmnt inside the container): must name ext4 while attached, and
    /// must not once deleted.</summary>
    protected abstract Task<string> VolumeSeenByNodeAsync(string vmid, string name);

    /// <summary>Restarts the director on the same state and waits until it answers.</summary>
    protected abstract Task RestartDirectorAsync();

    /// <summary>Whether the driver's pool hands out this address.</summary>
    protected abstract bool InPool(string address);

    /// <summary>True where nodes outlive the director (containers, VMs); false where they die with it (local).</summary>
    protected abstract bool NodesOutliveDirector { get; }

    /// <summary>How soon a killed node must be seen dead: 10 s by the platform's promise, more under emulation.</summary>
    protected virtual TimeSpan NoticeWithin => TimeSpan.FromSeconds(10);

    protected virtual void Log(string line)
    {
    }

    public async Task RunAsync(string name)
    {
        var clock = Stopwatch.StartNew();
        var aid = Id(await OkAsync(["application", "create", name], "created with id"));
        await OkAsync(["application", "start", aid], "done.");
        var sid = Id(await OkAsync(["service", "add", "generic", aid], "with id"));
        await OkAsync(["service", "start", aid, sid], "done.");

        // Addresses: each node its own, all from the pool.
        await OkAsync(["generic", "add_nodes", aid, sid, "--count", "2"], "done.");
        var nodes = await NodesAsync(aid, sid);
        Expect(nodes.Count == 3 && nodes.Select(n => n.Ip).Distinct().Count() == 3 && nodes.All(n => InPool(n.Ip) && n.State == "RUNNING"),
            "three running nodes at distinct addresses from the pool", nodes);
        foreach (var node in nodes) Expect(await IsNodeRunningAsync(node.Vmid), $"the cloud runs {node.Vmid}", nodes);

        // Volumes: made, attached to the agent named, listed, deleted.
        var holder = nodes[1].Vmid;
        await OkAsync(["generic", "create_volume", aid, sid, "data", "8", holder], $"attached to {holder}");
        await OkAsync(["generic", "list_volumes", aid, sid], holder);
        var seen = await VolumeSeenByNodeAsync(holder, "data");
        Expect(seen.Contains("ext4"), $"{holder} sees an ext4 volume 'data'", seen);
        Log($"           {holder} sees its volume: {seen.Trim()}");
        await OkAsync(["generic", "delete_volume", aid, sid, "data"], "");
        var volumes = await OkAsync(["generic", "list_volumes", aid, sid], "");
        Expect(!volumes.Contains("data"), "no volume left after delete_volume", volumes);
        seen = await VolumeSeenByNodeAsync(holder, "data");
        Expect(!seen.Contains("ext4"), $"{holder} no longer sees the deleted volume", seen);

        // A node killed from outside, holding a volume: seen dead soon, shown, and replaced by starting the service
        // again; its volume, detached with it, can still be deleted.
        var victim = nodes[2].Vmid;
        await OkAsync(["generic", "create_volume", aid, sid, "spare", "8", victim], $"attached to {victim}");
        await KillNodeAsync(victim);
        var killed = Stopwatch.StartNew();
        while (!(await OkAsync(["service", "get_state", aid, sid], "")).Contains("ERROR") && killed.Elapsed < NoticeWithin + TimeSpan.FromSeconds(20))
            await Task.Delay(500);
        Expect(killed.Elapsed <= NoticeWithin, $"the killed node {victim} noticed within {NoticeWithin.TotalSeconds:0} s (took {killed.Elapsed.TotalSeconds:0.0} s)", "");
        var listed = await OkAsync(["service", "list_nodes", aid, sid], "");
        Expect(Regex.IsMatch(listed, $@"{victim} +\S+ +DEAD"), $"{victim} listed as DEAD", listed);
        Log($"  {killed.Elapsed.TotalSeconds,5:0.0} s  {victim} killed from outside, seen DEAD");
        await OkAsync(["service", "start", aid, sid], "done.");
        nodes = await NodesAsync(aid, sid);
        Expect(nodes.Count == 3 && nodes.All(n => n.State == "RUNNING" && n.Vmid != victim), "three running nodes again, the dead one replaced", nodes);
        await OkAsync(["generic", "delete_volume", aid, sid, "spare"], "");
        volumes = await OkAsync(["generic", "list_volumes", aid, sid], "");
        Expect(!volumes.Contains("spare"), "the dead node's volume deleted", volumes);
        await OkAsync(["generic", "remove_nodes", aid, sid, "--count", "1"], "done.");
        var removed = nodes[2].Vmid;
        Expect(await GoneAsync(removed), $"the removed node {removed} no longer runs", "");

        // The director restarted: running nodes are found again where they outlive it; otherwise the application is
        // STOPPED and starts again.
        await OkAsync(["application", "list"], "RUNNING");
        await RestartDirectorAsync();
        if (NodesOutliveDirector)
        {
            await OkAsync(["application", "list"], "RUNNING");
            var after = await NodesAsync(aid, sid);
            Expect(after.Select(n => n.Vmid).SequenceEqual(nodes.Take(2).Select(n => n.Vmid)), "the same nodes after the director's restart", after);
            await OkAsync(["generic", "get_script_status", aid, sid], nodes[0].Vmid);
        }
        else
        {
            await OkAsync(["application", "list"], "STOPPED");
            foreach (var node in nodes.Take(2)) Expect(await GoneAsync(node.Vmid), $"{node.Vmid} died with the director", "");
            await OkAsync(["application", "start", aid], "done.");
            await OkAsync(["service", "start", aid, sid], "done.");
            nodes = await NodesAsync(aid, sid);
        }

        // Stopped: the application says so, and the cloud runs nothing of it.
        await OkAsync(["application", "stop", aid], "stopped");
        await OkAsync(["application", "list"], "STOPPED");
        foreach (var node in nodes) Expect(await GoneAsync(node.Vmid), $"{node.Vmid} stopped with its application", "");
        await OkAsync(["application", "delete", aid], "");
        Log($"CONFORMANCE the driver conformance cases: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Whether the node is gone within a few seconds (a killed process waits for its parent to reap it).</summary>
    private async Task<bool> GoneAsync(string vmid)
    {
        for (var look = 0; look < 20; look++, await Task.Delay(250))
            if (!await IsNodeRunningAsync(vmid)) return true;
        return false;
    }

    /// <summary>A service's nodes as list_nodes shows them.</summary>
    private async Task<List<ListedNode>> NodesAsync(string aid, string sid) =>
        (await OkAsync(["service", "list_nodes", aid, sid], "")).Split('\n').Skip(2)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(cells => cells.Length == 7)
            .Select(cells => new ListedNode(cells[2], cells[3], cells[4], cells[6])).ToList();

    private sealed record ListedNode(string Role, string Ip, string Vmid, string State);

    private async Task<string> OkAsync(string[] arguments, string expected)
    {
        var clock = Stopwatch.StartNew();
        var result = await CpsToolsAsync(arguments);
        var output = result.StandardOutput + result.StandardError;
        if (!result.Succeeded || !output.Contains(expected, StringComparison.Ordinal))
            throw new ConformanceException($"'cps-tools {string.Join(' ', arguments)}' exited with {result.ExitCode}{(expected.Length > 0 ? $", expected '{expected}'" : "")}:\n{output.TrimEnd()}");
        Log($"  {clock.Elapsed.TotalSeconds,5:0.0} s  cps-tools {string.Join(' ', arguments)}");
        return result.StandardOutput;
    }

    private static string Id(string output) =>
        Regex.Match(output, @"with id (\d+)") is { Success: true } match ? match.Groups[1].Value : throw new ConformanceException($"no id in: {output}");

    private static void Expect(bool condition, string what, object evidence)
    {
        if (!condition)
            throw new ConformanceException($"expected {what}:\n{(evidence is IEnumerable<ListedNode> nodes ? string.Join('\n', nodes) : evidence)}");
    }
}

/// <summary>A driver failed a conformance case; the message says which and shows what was seen.</summary>
public sealed class ConformanceException(string message) : Exception(message);
