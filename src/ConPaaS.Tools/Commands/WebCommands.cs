using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>What cps-tools java (cps-java) and php share: nodes added and removed by role, the service's address.</summary>
public static class WebCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Java, Build);

    public static IEnumerable<Command> Build()
    {
        yield return Scaling("add_nodes", "add agents by role: the first extra backend takes the backend role off the first agent", "Adding");
        yield return Scaling("remove_nodes", "remove agents by role (never the first agent)", "Removing");

        yield return ServiceCommands.ForService("get_url", "print the address the application is served at (the proxy's)", async (s, app, svc, token) =>
        {
            var url = await ManagerRpc.CallAsync(s, app, Sid(svc), "get_url", new JsonObject(), token);
            s.Output.Message(Output.Cell(url), url);
        });
    }

    private static Command Scaling(string method, string description, string doing)
    {
        var options = new[] { "backend", "web", "proxy" }.Select(role =>
            new Option<int>("--" + role) { Description = $"how many {role} agents", DefaultValueFactory = _ => 0 }).ToArray();
        return ServiceCommands.ForService(method, description, (s, app, svc, token) =>
        {
            var parameters = new JsonObject();
            foreach (var option in options) parameters[option.Name.TrimStart('-')] = s.Result.GetValue(option);
            var total = options.Sum(o => s.Result.GetValue(o));
            if (total == 0) throw new CliException($"{method} needs --backend N, --web N or --proxy N");
            return ServiceCommands.ChangeAsync(s, app, svc, method, parameters, $"{doing} {total} nodes of service {svc["sid"]}...", LifecycleState.Running, token);
        }, options);
    }

    private static long Sid(JsonObject service) => service["sid"]!.GetValue<long>();
}
