using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>What cps-tools java (cps-java) and php share: nodes added and removed by role, the service's address.</summary>
public static class WebCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Java, () => Build(ServiceTypes.Java));

    public static IEnumerable<Command> Build(ServiceType type)
    {
        yield return ServiceCommands.ScalingByRole(type, "add_nodes", "add agents by role: the first extra backend takes the backend role off the first agent", "Adding");
        yield return ServiceCommands.ScalingByRole(type, "remove_nodes", "remove agents by role (never the first agent)", "Removing");

        yield return ServiceCommands.ForService("get_url", "print the address the application is served at (the proxy's)", async (s, app, svc, token) =>
        {
            var url = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "get_url", new JsonObject(), token);
            s.Output.Message(Output.Cell(url), url);
        });
    }
}
