using ConPaaS.Builder;
namespace ConPaaS.Build.Targets;

internal static class CleanTarget
{
    public static Task RunAsync(BuildContext context)
    {
        if (Directory.Exists(context.Out)) Directory.Delete(context.Out, recursive: true);
        BuildContext.Log("  removed out/");
        return Task.CompletedTask;
    }
}
