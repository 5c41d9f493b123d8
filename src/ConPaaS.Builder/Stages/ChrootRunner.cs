using ConPaaS.Processes;

namespace ConPaaS.Builder.Stages;

/// <summary>
/// Runs programs of the image inside it: chroot into the unpacked tree, contained in a PID namespace that dies
/// with the build (see <see cref="BuildContext.RunAsync"/>). Nothing is mounted; hooks see the image's files,
/// not a running system.
/// </summary>
internal sealed class ChrootRunner(BuildContext context, TargetTree tree, string architecture, long sourceDateEpoch)
{
    private static readonly HostTool Chroot = new("chroot", "coreutils");

    public static IReadOnlyList<HostTool> Tools => [Chroot];

    private Command InImage(string[] argv) => ForeignArchitecture.For(architecture, Chroot.Command([tree.Root, .. argv])
            .WithEnvironment("SOURCE_DATE_EPOCH", sourceDateEpoch.ToString())
            .WithEnvironment("DEBIAN_FRONTEND", "noninteractive")
            .WithEnvironment("LC_ALL", "C.UTF-8")
            .WithEnvironment("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));

    public Task RunAsync(string[] argv) => context.RunAsync(InImage(argv));

    /// <summary>Copies a hook script into the image, runs it there, and removes it again.</summary>
    public async Task RunScriptAsync(string hostScript)
    {
        var inImage = $"/tmp/.cps-hook-{Path.GetFileName(hostScript)}";
        tree.CopyFile(hostScript, inImage, (UnixFileMode)0b111_101_101);
        try
        {
            var interpreter = File.ReadLines(hostScript).FirstOrDefault() is { } first && first.StartsWith("#!") ? [] : new[] { "/bin/sh" };
            await context.RunAsync(InImage([.. interpreter, inImage]));
        }
        finally
        {
            tree.Delete(inImage);
        }
    }
}
