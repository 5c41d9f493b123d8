using System.CommandLine;
using System.Text.Json.Nodes;
using static ConPaaS.Tools.Commands.ApplicationCommands;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools service (add, list, get_types, rename, remove, get_state) and one object per service type.</summary>
public static class ServiceCommands
{
    public static readonly string[] Types = ["php", "java", "helloworld", "xtreemfs", "mysql", "generic"];

    public static Command Build()
    {
        var service = new Command("service", "services within applications");

        var type = new Argument<string>("service_type") { Description = $"one of {string.Join(", ", Types)} (see 'service get_types')" };
        var addApp = new Argument<string>("app_name_or_id") { Description = "the application's id or name" };
        var add = new Command("add", "add a service to a running application") { type, addApp };
        add.SetAction(Cli.Action((s, token) => AddAsync(s, s.Get(type), s.Get(addApp), token)));
        service.Subcommands.Add(add);

        var listApp = new Argument<string?>("app_name_or_id") { Description = "only this application's services", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "list services") { listApp };
        list.SetAction(Cli.Action(async (s, token) =>
        {
            var path = s.Result.GetValue(listApp) is { } app ? $"/list/{(await s.ApplicationAsync(app, token))["aid"]}" : "/list";
            var rows = (await s.Director.GetAsync(path, token))?.AsArray() ?? [];
            s.Output.Table(["aid", "sid", "type", "name", "status"], rows.OfType<JsonObject>().Select(r => (IReadOnlyList<string>)
            [
                Output.Cell(r["application"]?["aid"]), Output.Cell(r["service"]?["sid"]), Output.Cell(r["service"]?["type"]),
                Output.Cell(r["service"]?["name"]), Output.Cell(r["service"]?["state"]),
            ]), rows);
        }));
        service.Subcommands.Add(list);

        service.Subcommands.Add(SimpleCommands.Showing("get_types", "list the service types this director offers", "/available_services"));

        foreach (var command in PerService()) service.Subcommands.Add(command);
        return service;
    }

    /// <summary>cps-tools &lt;type&gt; ...: the same subcommands with the type already chosen (cps-helloworld add 1).</summary>
    public static IEnumerable<Command> TypeObjects() => Types.Select(t =>
    {
        var command = new Command(t, $"the {t} service");
        var app = new Argument<string>("app_name_or_id") { Description = "the application's id or name" };
        var add = new Command("add", $"add a {t} service to a running application") { app };
        add.SetAction(Cli.Action((s, token) => AddAsync(s, t, s.Get(app), token)));
        command.Subcommands.Add(add);
        foreach (var sub in PerService()) command.Subcommands.Add(sub);
        return command;
    });

    /// <summary>The subcommands that take an application and a service.</summary>
    private static IEnumerable<Command> PerService()
    {
        var name = new Argument<string>("name") { Description = "the new name" };
        yield return ForService("rename", "rename a service", async (s, app, svc, token) =>
        {
            var result = await s.Director.PostAsync("/rename", Form(("app_id", Output.Cell(app["aid"])), ("service_id", Output.Cell(svc["sid"])), ("name", s.Get(name))), token);
            s.Output.Message($"Service {svc["sid"]} of application {app["aid"]} renamed to '{s.Get(name)}'.", result);
        }, name);

        yield return ForService("remove", "remove a service from its application", async (s, app, svc, token) =>
        {
            var result = await s.Director.PostAsync("/remove", Form(("app_id", Output.Cell(app["aid"])), ("service_id", Output.Cell(svc["sid"]))), token);
            s.Output.Message($"Service {svc["sid"]} of application {app["aid"]} has been successfully removed.", result);
        });

        yield return ForService("get_state", "show a service's state, as its manager sees it", async (s, app, svc, token) =>
        {
            var info = await ManagerRpc.CallAsync(s, app, svc["sid"]!.GetValue<long>(), "get_service_info", new { }, token);
            s.Output.Message($"Service {svc["sid"]} ({Output.Cell(info?["type"])}) is {Output.Cell(info?["state"])}.", info);
        });
    }

    /// <summary>A command taking app_name_or_id and serv_name_or_id (then <paramref name="more"/>), both resolved before <paramref name="body"/> runs.</summary>
    public static Command ForService(string name, string description, Func<Session, JsonObject, JsonObject, CancellationToken, Task> body, params Symbol[] more)
    {
        var app = new Argument<string>("app_name_or_id") { Description = "the application's id or name" };
        var service = new Argument<string>("serv_name_or_id") { Description = "the service's id or name" };
        var command = new Command(name, description) { app, service };
        foreach (var symbol in more)
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
            else if (symbol is Option option) command.Options.Add(option);
        }
        command.SetAction(Cli.Action(async (s, token) =>
        {
            var application = await s.ApplicationAsync(s.Get(app), token);
            await body(s, application, await s.ServiceAsync(application, s.Get(service), token), token);
        }));
        return command;
    }

    private static async Task AddAsync(Session s, string type, string appNameOrId, CancellationToken token)
    {
        var app = await s.ApplicationAsync(appNameOrId, token);
        var added = await s.Director.PostAsync($"/add/{Uri.EscapeDataString(type)}", Form(("appid", Output.Cell(app["aid"]))), token);
        s.Output.Message($"Service {type} successfully added to application {app["aid"]} with id {added?["service"]?["sid"]}.", added);
    }
}
