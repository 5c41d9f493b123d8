namespace ConPaaS.Processes.Tests;

/// <summary>Every part of a <see cref="Command"/> reaches the child as written.</summary>
public class CommandSettingsTests
{
    [Fact]
    public async Task AwkwardArgumentsArriveIntact()
    {
        string[] awkward = ["", "a b", "x\"y", "back\\", "back\\\\\"q", "tab\there", "new\nline", "'$(x)' ; *"];
        var result = await new Command("printf", ["%s\\0", .. awkward]).RunAsync(CancellationToken.None);
        Assert.Equal(awkward, result.StandardOutput.Split('\0')[..^1]);
    }

    [Fact]
    public async Task StandardInputIsWrittenThenClosed()
    {
        var result = await new Command("cat") { StandardInput = "in\n"u8.ToArray() }.RunAsync(CancellationToken.None);
        Assert.Equal("in\n", result.StandardOutput);
    }

    [Fact]
    public async Task AFileIsStreamedToStandardInput()
    {
        var file = Path.GetTempFileName();
        try
        {
            var content = new byte[3 << 20];
            new Random(7).NextBytes(content);
            await File.WriteAllBytesAsync(file, content);
            var result = await new Command("sha256sum") { StandardInputFile = file }.RunAsync(CancellationToken.None);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), result.StandardOutput.Split(' ')[0]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AWrappedCommandKeepsItsInputEnvironmentAndName()
    {
        var wrapped = (new Command("sh", "-c", "cat; echo $CONPAAS_TEST") { StandardInput = "in\n"u8.ToArray() })
            .WithEnvironment("CONPAAS_TEST", "kept").WrappedIn("env", "--");
        Assert.Equal("sh", wrapped.DisplayName);
        Assert.Equal("in\nkept\n", (await wrapped.RunAsync(CancellationToken.None)).StandardOutput);
    }

    [Fact]
    public async Task StandardInputAsBytesAndAsAFileIsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => new Command("cat") { StandardInputFile = "/dev/null", StandardInput = [1] }.RunAsync(CancellationToken.None));

    [Fact]
    public async Task AToolThatIgnoresItsInputStillSucceeds()
    {
        var result = await new Command("true") { StandardInput = new byte[4 << 20] }.RunAsync(CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task EnvironmentIsSetAndRemoved()
    {
        var command = new Command("sh", "-c", "echo $CONPAAS_TEST ${HOME-unset}").WithEnvironment("CONPAAS_TEST", "set").WithEnvironment("HOME", null);
        Assert.Equal("set unset\n", (await command.RunAsync(CancellationToken.None)).StandardOutput);
    }

    [Fact]
    public async Task WorkingDirectoryIsUsed()
    {
        var result = await new Command("pwd") { WorkingDirectory = "/usr/share" }.RunAsync(CancellationToken.None);
        Assert.Equal("/usr/share\n", result.StandardOutput);
    }

    [Fact]
    public async Task CarriageReturnsEndLinesAsBefore()
    {
        var lines = new List<string>();
        await new Command("printf", "a\\rb\\r\\nc").RunAsync(CancellationToken.None, onOutputLine: lines.Add);
        Assert.Equal(["a", "b", "c"], lines);
    }
}
