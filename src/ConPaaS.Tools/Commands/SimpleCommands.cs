using System.CommandLine;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools cloud (list, list_resources) and director (version).</summary>
public static class SimpleCommands
{
    public static Command Cloud()
    {
        var cloud = new Command("cloud", "the clouds this director can start nodes in");
        var list = new Command("list", "list the available clouds");
        list.SetAction(Cli.Action(async (s, token) =>
        {
            var clouds = await s.Director.GetAsync("/available_clouds", token);
            s.Output.Message(string.Join("\n", clouds?.AsArray().Select(Output.Cell) ?? []), clouds);
        }));
        cloud.Subcommands.Add(list);

        var resources = new Command("list_resources", "list the nodes running for this user (each costs one credit per hour)");
        resources.SetAction(Cli.Action(async (s, token) =>
        {
            var rows = (await s.Director.GetAsync("/list_resources", token))?.AsArray() ?? [];
            s.Output.Table(["rid", "aid", "sid", "role", "ip", "vmid", "cloud", "charged", "app_name"],
                rows.OfType<JsonObject>().Select(r => (IReadOnlyList<string>)new[] { "rid", "app_id", "service_id", "role", "ip", "vmid", "cloud", "charged", "app_name" }
                    .Select(k => Output.Cell(r[k])).ToArray()), rows);
        }));
        cloud.Subcommands.Add(resources);
        return cloud;
    }

    public static Command Director()
    {
        var director = new Command("director", "the director itself");
        var version = new Command("version", "show the director's version");
        version.SetAction(Cli.Action(async (s, token) =>
        {
            var text = await s.Director.GetAsync("/version", token);
            s.Output.Message(Output.Cell(text), text);
        }));
        director.Subcommands.Add(version);
        return director;
    }
}
