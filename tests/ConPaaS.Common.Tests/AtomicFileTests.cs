using ConPaaS.Common;
using ConPaaS.Testing;

namespace ConPaaS.Common.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_committed_file_replaces_the_old_one_and_leaves_no_temporary_behind()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "state.json");
        File.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_uncommitted_file_leaves_the_old_one_untouched()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "state.json");
        File.WriteAllText(path, "old");
        using (var file = AtomicFile.Create(path)) file.Stream.Write("half"u8);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}

public class TextTests
{
    [Fact]
    public void Long_input_is_cut_for_messages() =>
        Assert.Equal(new string('x', 40) + "...", Text.Shorten(new string('x', 1000)));

    [Fact]
    public void A_free_port_can_be_listened_on()
    {
        var port = LoopbackPort.FindFree();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
    }
}
