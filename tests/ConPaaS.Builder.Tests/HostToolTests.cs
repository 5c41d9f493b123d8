namespace ConPaaS.Builder.Tests;

/// <summary>A tool's minimum version, checked against what dpkg says is installed (dpkg itself is on every Debian).</summary>
public class HostToolTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("1.0", true)]        // dpkg is 1.21 or later on bookworm
    [InlineData("99:1.0", false)]    // an epoch no release of dpkg has
    public async Task A_tool_counts_as_installed_only_from_a_package_new_enough(string? minimum, bool installed)
    {
        var tool = new HostTool("dpkg", "dpkg") { MinimumVersion = minimum };
        Assert.Equal(installed, await tool.IsInstalledAsync(CancellationToken.None));
        Assert.Equal(installed ? [] : [tool], await HostTool.MissingAsync([tool], CancellationToken.None));
        // A minimum comes from the release's backports (bookworm-backports here), where apt finds newer versions.
        Assert.Matches(minimum is null ? "^dpkg$" : "^dpkg/[a-z]+-backports$", tool.AptPackage);
    }

    [Fact]
    public async Task A_tool_on_PATH_from_a_package_that_is_not_installed_is_missing()
    {
        var tool = new HostTool("dpkg", "no-such-package-conpaas") { MinimumVersion = "1.0" };
        Assert.False(await tool.IsInstalledAsync(CancellationToken.None));
    }
}
