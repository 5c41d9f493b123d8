using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build.Targets;

/// <summary>Runs every test project; the CLI tests drive the tools just published to out/bin/.</summary>
internal static class TestTarget
{
    public static async Task RunAsync(BuildContext context)
    {
        var command = new Command("dotnet", "test", Path.Combine(context.Root, "ConPaaS.sln"), "-c", "Release", "--nologo",
                "--logger", "console;verbosity=normal")
            .WithEnvironment("CPS_IMAGE", Path.Combine(context.Bin, "cps-image"))
            .WithEnvironment("CPS_BIN", context.Bin);
        await context.RunAsync(command);
    }
}
