using ConPaaS.Processes;

namespace ConPaaS.Imaging.Cli.Tests;

/// <summary>
/// Runs the real cps-image: the published binary when the build host says where it is (CPS_IMAGE), otherwise the
/// one built beside these tests.
/// </summary>
internal static class CpsImage
{
    public static async Task<CommandResult> RunAsync(params string[] arguments)
    {
        var published = Environment.GetEnvironmentVariable("CPS_IMAGE");
        var command = published is { Length: > 0 } && File.Exists(published)
            ? new Command(published, arguments)
            : new Command("dotnet", Path.Combine(AppContext.BaseDirectory, "cps-image.dll")).WithArguments(arguments);
        return await command.RunAsync(CancellationToken.None, allowFailure: true);
    }

    /// <summary>Asserts the way every user error must look: exit 1, one "cps-image: error:" line, no stack trace.</summary>
    public static void AssertCleanError(CommandResult result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("cps-image: error: ", result.StandardError);
        Assert.Contains(expected, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
        Assert.DoesNotContain("Exception", result.StandardError);
    }
}
