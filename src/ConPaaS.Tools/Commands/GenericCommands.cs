using System.CommandLine;
using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools generic: scripts and their status, volumes (code versions and keys: <see cref="CodeCommands"/>).</summary>
public static class GenericCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Generic, Build);

    public static IEnumerable<Command> Build()
    {
        foreach (var command in new[] { "run", "interrupt", "cleanup" })
        {
            var parameters = new Option<string>("--parameters", "-p") { Description = "parameters for the script, separated by spaces", DefaultValueFactory = _ => "" };
            yield return ServiceCommands.ForService(command, $"execute {command}.sh on every agent", async (s, app, svc, token) =>
            {
                var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "execute_script", new JsonObject { ["command"] = command, ["parameters"] = s.Get(parameters) }, token);
                s.Output.Message($"{command}.sh started on {Output.Cell(result?["agents"])} agents", result);
            }, parameters);
        }

        yield return ServiceCommands.ForService("get_script_status", "show each agent's scripts: NEVER STARTED, RUNNING or STOPPED (return code N)", async (s, app, svc, token) =>
        {
            var agents = (await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "get_script_status", new JsonObject(), token))?["agents"]?.AsObject() ?? [];
            var lines = new List<string>();
            foreach (var (agent, scripts) in agents.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                lines.Add($"Agent {agent}:");
                lines.AddRange((scripts?.AsObject() ?? []).Select(kv => $"  {kv.Key,-13} {Output.Cell(kv.Value)}"));
            }
            s.Output.Message(string.Join("\n", lines), agents);
        });

        var volume = new Argument<string>("vol_name") { Description = "the volume's name (letters, digits, '-', '_', '.')" };
        var size = new Argument<long>("vol_size") { Description = "size in MB (rounded up to the cloud's unit)" };
        var agentId = new Argument<string>("agent_id") { Description = "the agent to attach it to (see list_nodes)" };
        yield return ServiceCommands.ForService("create_volume", "create a volume and attach it to an agent (only while no script runs)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "create_volume", new JsonObject { ["volumeName"] = s.Get(volume), ["volumeSize"] = s.Get(size), ["agentId"] = s.Get(agentId) }, token);
            s.Output.Message($"Volume {s.Get(volume)} ({Output.Cell(result?["volumeSize"])} MB) created and attached to {s.Get(agentId)}.", result);
        }, volume, size, agentId);

        yield return ServiceCommands.ForService("list_volumes", "list the service's volumes", async (s, app, svc, token) =>
        {
            var volumes = (await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "list_volumes", new JsonObject(), token))?["volumes"]?.AsArray() ?? [];
            s.Output.Table(["volume_name", "size_mb", "agent_id"], volumes.OfType<JsonObject>().Select(v => (IReadOnlyList<string>)
                [Output.Cell(v["volumeName"]), Output.Cell(v["volumeSize"]), Output.Cell(v["agentId"])]), volumes);
        });

        var deletedVolume = new Argument<string>("vol_name") { Description = "the volume to detach and delete (its data is lost)" };
        yield return ServiceCommands.ForService("delete_volume", "detach and delete a volume (only while no script runs)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "delete_volume", new JsonObject { ["volumeName"] = s.Get(deletedVolume) }, token);
            s.Output.Message($"Volume {s.Get(deletedVolume)} detached and deleted.", result);
        }, deletedVolume);
    }
}
