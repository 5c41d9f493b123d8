using System.CommandLine;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools cloud (list, list_resources) and director (version).</summary>
public static class SimpleCommands
{
    public static Command Cloud()
    {
        var cloud = new Command("cloud", "the clouds this director can start nodes in");
        cloud.Subcommands.Add(Showing("list", "list the available clouds", "/available_clouds"));

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
        director.Subcommands.Add(Showing("version", "show the director's version", "/version"));
        return director;
    }

    /// <summary>A command that GETs <paramref name="path"/> and prints the value, a list one item per line.</summary>
    public static Command Showing(string name, string description, string path)
    {
        var command = new Command(name, description);
        command.SetAction(Cli.Action(async (s, token) =>
        {
            var value = await s.Director.GetAsync(path, token);
            s.Output.Message(value is JsonArray list ? string.Join("\n", list.Select(Output.Cell)) : Output.Cell(value), value);
        }));
        return command;
    }
}
