using ConPaaS.Processes;

namespace ConPaaS.Testing;

/// <summary>Runs the real tools the tests use as oracles (qemu-img, sfdisk, sgdisk, mkfs, tar...).</summary>
public static class HostTool
{
    /// <summary>Runs the tool and returns its stdout; a non-zero exit fails the test with the tool's stderr.</summary>
    public static string Run(string tool, params string[] arguments) =>
        Result(tool, arguments).GetAwaiter().GetResult().StandardOutput;

    /// <summary>Runs the tool and returns the whole result, whatever its exit code.</summary>
    public static CommandResult Try(string tool, params string[] arguments) =>
        new Command(Resolve(tool), arguments).RunAsync(CancellationToken.None, allowFailure: true).GetAwaiter().GetResult();

    private static Task<CommandResult> Result(string tool, string[] arguments) =>
        new Command(Resolve(tool), arguments).RunAsync(CancellationToken.None);

    private static string Resolve(string tool) =>
        ProcessRunner.Resolve(tool) ?? throw new InvalidOperationException($"host tool '{tool}' is missing; ./build.sh --target Test installs it");
}
