using System.CommandLine;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools helloworld get_helloworld.</summary>
public static class HelloworldCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return ServiceCommands.ForService("get_helloworld", "gather a greeting from every agent", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, svc["sid"]!.GetValue<long>(), "get_helloworld", new { }, token);
            s.Output.Message(Output.Cell(result?["helloworld"]), result);
        });
    }
}
