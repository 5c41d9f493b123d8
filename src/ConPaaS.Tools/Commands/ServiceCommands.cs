using System.CommandLine;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;
using static ConPaaS.Tools.Commands.ApplicationCommands;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools service (add, list, get_types, rename, remove, get_state) and one object per service type.</summary>
public static class ServiceCommands
{
    private static readonly string[] Types = [.. ServiceTypes.All.Select(t => t.Name)];

    private static readonly Dictionary<string, List<Func<IEnumerable<Command>>>> TypeCommands = [];

    /// <summary>A type's own subcommands (cps-tools helloworld get_helloworld); its command files register them. One
    /// named like a shared subcommand (php's add_nodes, with roles) takes its place for that type.</summary>
    public static void Register(ServiceType type, Func<IEnumerable<Command>> build)
    {
        if (!TypeCommands.TryGetValue(type.Name, out var builders)) TypeCommands[type.Name] = builders = [];
        builders.Add(build);
    }

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
        var own = (TypeCommands.TryGetValue(t, out var builders) ? builders : []).SelectMany(build => build()).ToList();
        foreach (var sub in PerService().Where(p => own.All(o => o.Name != p.Name))) command.Subcommands.Add(sub);
        foreach (var sub in own) command.Subcommands.Add(sub);
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

        yield return ForService("get_state", "show a service's state, as its manager sees it (key: value lines)", async (s, app, svc, token) =>
        {
            var info = await ManagerRpc.CallAsync(s, app, svc["sid"]!.GetValue<long>(), "get_service_info", new JsonObject(), token);
            // key: value lines, one per field the manager gives (php and java add url, mysql connect).
            var lines = (info as JsonObject ?? []).Where(f => f.Value is not null && Output.Cell(f.Value).Length > 0)
                .Select(f => $"{f.Key}: {Output.Cell(f.Value)}");
            s.Output.Message(string.Join('\n', lines), info);
        });

        yield return ForService("start", "start a service: its first agent, then RUNNING", (s, app, svc, token) =>
            ChangeAsync(s, app, svc, "start_service", new JsonObject(), $"Service {svc["sid"]} is starting...", LifecycleState.Running, token));

        yield return ForService("stop", "stop a service and its agents", (s, app, svc, token) =>
            ChangeAsync(s, app, svc, "stop_service", new JsonObject(), $"Service {svc["sid"]} is stopping...", LifecycleState.Stopped, token));

        var addCount = new Option<int>("--count") { Description = "how many agents", DefaultValueFactory = _ => 1 };
        yield return ForService("add_nodes", "add agents to a running service", (s, app, svc, token) =>
            ChangeAsync(s, app, svc, "add_nodes", new JsonObject { ["count"] = s.Get(addCount) }, $"Adding {s.Get(addCount)} nodes to service {svc["sid"]}...", LifecycleState.Running, token), addCount);

        var removeCount = new Option<int>("--count") { Description = "how many agents", DefaultValueFactory = _ => 1 };
        yield return ForService("remove_nodes", "remove agents from a running service (never the first)", (s, app, svc, token) =>
            ChangeAsync(s, app, svc, "remove_nodes", new JsonObject { ["count"] = s.Get(removeCount) }, $"Removing {s.Get(removeCount)} nodes from service {svc["sid"]}...", LifecycleState.Running, token), removeCount);

        yield return ForService("list_nodes", "list a service's agents", async (s, app, svc, token) =>
        {
            var sid = svc["sid"]!.GetValue<long>();
            var roles = (await ManagerRpc.CallAsync(s, app, sid, "list_nodes", new JsonObject(), token))?.AsObject() ?? [];
            var nodes = new JsonArray();
            // An agent holding several roles (php's first) is listed under each: one row per agent.
            foreach (var id in roles.SelectMany(r => r.Value?.AsArray() ?? []).Select(Output.Cell).Distinct().Order(StringComparer.Ordinal))
                nodes.Add((await ManagerRpc.CallAsync(s, app, sid, "get_node_info", new JsonObject { ["serviceNodeId"] = id }, token))?["serviceNode"]?.DeepClone());
            s.Output.Table(["aid", "sid", "role", "ip", "agent_id", "cloud", "state"], nodes.OfType<JsonObject>().Select(n => (IReadOnlyList<string>)
                [Output.Cell(app["aid"]), Output.Cell(svc["sid"]), Output.Cell(n["role"]), Output.Cell(n["ip"]), Output.Cell(n["id"]), Output.Cell(n["cloud"]), Output.Cell(n["state"])]), nodes);
        });

        var agent = new Argument<string>("agent_id") { Description = "the agent (see list_nodes)" };
        var file = new Option<string>("--file", "-f") { Description = "agent.log, agent.out (scripts' output), agent.err, or a server's log (nginx-error.log, tomcat.log, mariadb.err, ...; a wrong name lists them)", DefaultValueFactory = _ => "agent.log" };
        yield return ForService("get_agent_log", "print an agent's log", async (s, app, svc, token) =>
        {
            var text = await ManagerRpc.CallAsync(s, app, svc["sid"]!.GetValue<long>(), "get_agent_log", new JsonObject { ["agent_id"] = s.Get(agent), ["filename"] = s.Get(file) }, token);
            s.Output.Message(Output.Cell(text).TrimEnd('\n'), text);
        }, agent, file);
    }

    /// <summary>Asks the manager for a change, then polls until the service reaches <paramref name="target"/>.</summary>
    internal static async Task ChangeAsync(Session s, JsonObject app, JsonObject svc, string method, JsonObject parameters, string message, string target, CancellationToken token)
    {
        var sid = svc["sid"]!.GetValue<long>();
        await ManagerRpc.CallAsync(s, app, sid, method, parameters, token);
        if (!s.Output.Json) Console.Write(message + " ");
        var deadline = DateTime.UtcNow.AddMinutes(10);
        var delay = new Common.PollingDelay();
        while (true)
        {
            var info = await ManagerRpc.CallAsync(s, app, sid, "get_service_info", new JsonObject(), token);
            var state = Output.Cell(info?["state"]);
            if (state == target)
            {
                if (s.Output.Json) s.Output.Message("", info);
                else Console.WriteLine("done.");
                return;
            }
            if (state is LifecycleState.Error || DateTime.UtcNow > deadline)
            {
                if (!s.Output.Json) Console.WriteLine();
                throw new CliException($"service {sid} is {state}{(info?["error"] is { } error ? $": {error}" : "")}");
            }
            await delay.WaitAsync(token);
        }
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

    /// <summary>A service's id, from the director's listing of it.</summary>
    internal static long Sid(JsonObject service) => service["sid"]!.GetValue<long>();

    /// <summary>add_nodes or remove_nodes for a type scaled per role: one <c>--ROLE N</c> option per role of the type
    /// (php and java: --proxy --web --backend; mysql: --mysql --glb).</summary>
    public static Command ScalingByRole(ServiceType type, string method, string description, string doing)
    {
        var options = type.Roles.Select(r => r.Name).Select(role =>
            new Option<int>("--" + role) { Description = $"how many {role} agents", DefaultValueFactory = _ => 0 }).ToArray();
        var cloud = new Option<string?>("--cloud") { Description = "the cloud the new agents run on (the service's own by default)" };
        Symbol[] symbols = method == "add_nodes" ? [.. options, cloud] : [.. options];
        return ForService(method, description, (s, app, svc, token) =>
        {
            var parameters = new JsonObject();
            foreach (var option in options) parameters[option.Name.TrimStart('-')] = s.Result.GetValue(option);
            if (method == "add_nodes" && s.Result.GetValue(cloud) is { } named) parameters["cloud"] = named;
            var total = options.Sum(o => s.Result.GetValue(o));
            if (total == 0) throw new CliException($"{method} needs {string.Join(" or ", options.Select(o => o.Name + " N"))}");
            return ChangeAsync(s, app, svc, method, parameters, $"{doing} {total} nodes of service {svc["sid"]}...", LifecycleState.Running, token);
        }, symbols);
    }
}
