using ConPaaS.Builder.Stages;
using ConPaaS.Testing;

namespace ConPaaS.Builder.Tests;

/// <summary>
/// The shape of mmdebstrap's arguments for a recipe's backports. Whether apt takes them as meant is judged on a real
/// image: RpiTest finds bookworm-backports' qemu-x86_64 (10 or later) on the booted Pi.
/// </summary>
public class RootFsStageTests
{
    [Fact]
    public void Backports_are_included_from_their_suite_with_a_second_source()
    {
        using var temp = new TempDirectory();
        var recipe = RecipeFileTests.Load(temp, "backports: [qemu-user, qemu-user-binfmt]\n" + RecipeFileTests.Valid);
        var arguments = RootFsStage.Arguments(recipe, "/work/rootfs.tar");

        Assert.Equal("--include=linux-image-amd64,sudo,openssh-server,qemu-user/bookworm-backports,qemu-user-binfmt/bookworm-backports",
            Assert.Single(arguments, a => a.StartsWith("--include=", StringComparison.Ordinal)));
        Assert.Equal(["bookworm", "/work/rootfs.tar", "http://deb.debian.org/debian", "deb http://deb.debian.org/debian bookworm-backports main"],
            arguments.TakeLast(4));
    }

    [Fact]
    public void Without_backports_there_is_one_source()
    {
        using var temp = new TempDirectory();
        var arguments = RootFsStage.Arguments(RecipeFileTests.Load(temp, RecipeFileTests.Valid), "/work/rootfs.tar");
        Assert.Equal(["bookworm", "/work/rootfs.tar", "http://deb.debian.org/debian"], arguments.TakeLast(3));
    }
}
