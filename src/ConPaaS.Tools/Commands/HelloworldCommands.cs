using System.Text.Json.Nodes;
using System.CommandLine;
using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools helloworld get_helloworld.</summary>
public static class HelloworldCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Helloworld, Build);

    public static IEnumerable<Command> Build()
    {
        yield return ServiceCommands.ForService("get_helloworld", "gather a greeting from every agent", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, svc["sid"]!.GetValue<long>(), "get_helloworld", new JsonObject(), token);
            s.Output.Message(Output.Cell(result?["helloworld"]), result);
        });
    }
}
