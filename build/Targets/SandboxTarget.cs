using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>
/// The offline developer sandbox: the published director in the foreground at https://127.0.0.1:5555 with every
/// piece of state in out/sandbox/ (configuration, SQLite, CA, node directories). Ctrl-C stops it and its nodes.
/// </summary>
internal static class SandboxTarget
{
    public const int Port = 5555;

    public static async Task RunAsync(BuildContext context)
    {
        var state = Path.Combine(context.Out, "sandbox");
        BuildContext.Log($"  cps-tools is {Path.Combine(context.Bin, "cps-tools")} (add {context.Bin} to PATH for the cps-<object> aliases)");
        await context.RunAsync(new Command(Path.Combine(context.Bin, "cpsdirector"), "sandbox", state, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
