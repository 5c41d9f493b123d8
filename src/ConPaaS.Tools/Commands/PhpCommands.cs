using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools php (cps-php): the web commands (WebCommands) and debug mode.</summary>
public static class PhpCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Php, Build);

    public static IEnumerable<Command> Build()
    {
        foreach (var command in WebCommands.Build(ServiceTypes.Php)) yield return command;

        var mode = new Argument<string>("mode") { Description = "on or off: PHP errors shown in pages" };
        mode.AcceptOnlyFromAmong("on", "off");
        yield return ServiceCommands.ForService("debug", "show PHP errors in pages (on) or only in the backends' logs (off)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "set_debug", new JsonObject { ["debug"] = s.Get(mode) == "on" }, token);
            s.Output.Message($"debug {s.Get(mode)}", result);
        }, mode);
    }
}
