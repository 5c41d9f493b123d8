using ConPaaS.Testing;

namespace ConPaaS.Node.Tests;

/// <summary>Archives made by the real tar, gzip, bzip2 and zip: good ones unpack, hostile ones leave nothing.</summary>
public class SafeArchiveTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public SafeArchiveTests()
    {
        Directory.CreateDirectory(_work.File("src/sub"));
        File.WriteAllText(_work.File("src/run.sh"), "echo hi\n");
        File.WriteAllText(_work.File("src/sub/data.txt"), "data\n");
        File.CreateSymbolicLink(_work.File("src/sub/link"), "../run.sh");
    }

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData("code.tar", "cf")]
    [InlineData("code.tar.gz", "czf")]
    [InlineData("code.tar.bz2", "cjf")]
    public void Tar_archives_expand_in_place_with_their_relative_links(string name, string flags)
    {
        HostTool.Run("tar", "-C", _work.File("src"), $"-{flags}", _work.File(name), ".");
        SafeArchive.Extract(_work.File(name), _work.File("out"));
        Assert.Equal("echo hi\n", File.ReadAllText(_work.File("out/run.sh")));
        Assert.Equal("data\n", File.ReadAllText(_work.File("out/sub/data.txt")));
        Assert.Equal("../run.sh", new FileInfo(_work.File("out/sub/link")).LinkTarget);
    }

    [Fact]
    public void Zip_archives_expand_too()
    {
        HostTool.Run("sh", "-c", $"cd {_work.File("src")} && zip -q -r {_work.File("code.zip")} run.sh sub/data.txt");
        SafeArchive.Extract(_work.File("code.zip"), _work.File("out"));
        Assert.Equal("data\n", File.ReadAllText(_work.File("out/sub/data.txt")));
    }

    [Fact]
    public void Path_traversal_is_refused()
    {
        HostTool.Run("tar", "-C", _work.File("src"), "--transform", "s,^,../../,", "-cf", _work.File("evil.tar"), "run.sh");
        AssertRefused("evil.tar", "climbs out of the archive");
    }

    [Fact]
    public void Absolute_paths_are_refused()
    {
        HostTool.Run("tar", "-cPf", _work.File("abs.tar"), _work.File("src/run.sh"));
        AssertRefused("abs.tar", "is an absolute path");
    }

    [Fact]
    public void Links_pointing_outside_are_refused()
    {
        Directory.CreateDirectory(_work.File("links"));
        File.CreateSymbolicLink(_work.File("links/passwd"), "/etc/passwd");
        HostTool.Run("tar", "-C", _work.File("links"), "-cf", _work.File("absolute-link.tar"), "passwd");
        AssertRefused("absolute-link.tar", "points to the absolute path '/etc/passwd'");

        File.Delete(_work.File("links/passwd"));
        File.CreateSymbolicLink(_work.File("links/up"), "../../../etc");
        HostTool.Run("tar", "-C", _work.File("links"), "-cf", _work.File("relative-link.tar"), "up");
        AssertRefused("relative-link.tar", "points outside the archive");
    }

    [Fact]
    public void A_write_through_a_link_the_archive_made_is_refused()
    {
        Directory.CreateDirectory(_work.File("through/dir"));
        File.CreateSymbolicLink(_work.File("through/here"), ".");
        File.WriteAllText(_work.File("through/dir/f"), "x");
        // 'here' -> '.', then 'here/dir/f': harmless here, but the same trick with a link to '..' would escape.
        HostTool.Run("tar", "-C", _work.File("through"), "-cf", _work.File("through.tar"), "here", "here/dir/f");
        AssertRefused("through.tar", "lies behind the link 'here'");
    }

    [Fact]
    public void Devices_are_refused()
    {
        Directory.CreateDirectory(_work.File("dev"));
        var made = HostTool.Try("mknod", _work.File("dev/null"), "c", "1", "3");
        Assert.True(made.ExitCode == 0, $"mknod (run the tests as root, as CI does): {made.StandardError}");
        HostTool.Run("tar", "-C", _work.File("dev"), "-cf", _work.File("dev.tar"), "null");
        AssertRefused("dev.tar", "is a device or FIFO");
    }

    [Fact]
    public void A_sparse_decompression_bomb_is_refused_before_it_fills_the_disk()
    {
        Directory.CreateDirectory(_work.File("bomb"));
        HostTool.Run("truncate", "-s", "8G", _work.File("bomb/zeros"));
        // GNU tar's sparse form (tiny on disk, 8 GiB declared)...
        HostTool.Run("tar", "-C", _work.File("bomb"), "-cSzf", _work.File("sparse.tar.gz"), "zeros");
        AssertRefused("sparse.tar.gz", "SparseFile");
        // ...and the same zeros stored plainly: a few MB of gzip that would expand past any limit.
        HostTool.Run("truncate", "-s", "300M", _work.File("bomb/zeros"));
        HostTool.Run("tar", "-C", _work.File("bomb"), "-czf", _work.File("plain.tar.gz"), "zeros");
        Assert.True(new FileInfo(_work.File("plain.tar.gz")).Length < 2 << 20);
        AssertRefused("plain.tar.gz", "expands to more than 256 MiB");
    }

    [Fact]
    public void Links_that_leave_the_tree_through_other_links_are_refused()
    {
        // Each link alone stays inside ('d/l' -> '..' is the top, 'e' -> 'd/l/..' looks like 'd'), but the unpacked
        // tree resolves 'e' through 'd/l' to the top's parent.
        Directory.CreateDirectory(_work.File("chain/d"));
        File.CreateSymbolicLink(_work.File("chain/d/l"), "..");
        File.CreateSymbolicLink(_work.File("chain/e"), "d/l/..");
        HostTool.Run("tar", "-C", _work.File("chain"), "--no-recursion", "-cf", _work.File("chain.tar"), "d", "d/l", "e");
        AssertRefused("chain.tar", "the link 'e' leads outside the archive ('d/l/..') through its other links");

        // Order does not matter: the escaping link made before the link it goes through.
        HostTool.Run("tar", "-C", _work.File("chain"), "--no-recursion", "-cf", _work.File("chain-reversed.tar"), "e", "d", "d/l");
        AssertRefused("chain-reversed.tar", "leads outside the archive");

        // Chains that stay inside are kept, and loops are refused rather than followed for ever.
        Directory.CreateDirectory(_work.File("inside/d"));
        File.CreateSymbolicLink(_work.File("inside/d/l"), "..");
        File.CreateSymbolicLink(_work.File("inside/e"), "d/l/d");
        HostTool.Run("tar", "-C", _work.File("inside"), "--no-recursion", "-cf", _work.File("inside.tar"), "d", "d/l", "e");
        SafeArchive.Extract(_work.File("inside.tar"), _work.File("kept"));
        Assert.Equal("d/l/d", new FileInfo(_work.File("kept/e")).LinkTarget);
        Directory.CreateDirectory(_work.File("loop"));
        File.CreateSymbolicLink(_work.File("loop/a"), "b/x");
        File.CreateSymbolicLink(_work.File("loop/b"), "a/y");
        HostTool.Run("tar", "-C", _work.File("loop"), "-cf", _work.File("loop.tar"), "a", "b");
        AssertRefused("loop.tar", "links loop");
    }

    [Fact]
    public void A_size_field_in_base_256_that_overflows_is_refused()
    {
        HostTool.Run("tar", "-C", _work.File("src"), "--format=ustar", "-cf", _work.File("huge.tar"), "run.sh");
        var bytes = File.ReadAllBytes(_work.File("huge.tar"));
        // The size field (12 bytes at 124) in GNU's base-256 form: 0x80, then all ones, 2^88 - 1 bytes.
        bytes[124] = 0x80;
        bytes.AsSpan(125, 11).Fill(0xff);
        bytes.AsSpan(148, 8).Fill((byte)' ');
        var sum = bytes.AsSpan(0, 512).ToArray().Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, 148);
        File.WriteAllBytes(_work.File("huge.tar"), bytes);
        Assert.Contains("base-256 value is out of", HostTool.Try("tar", "-tvf", _work.File("huge.tar")).StandardError); // GNU tar agrees
        AssertRefused("huge.tar", "the archive cannot be unpacked");
    }

    [Fact]
    public void Garbage_is_refused()
    {
        File.WriteAllBytes(_work.File("junk.bin"), new byte[1000]);
        AssertRefused("junk.bin", "is not tar, tar.gz, tar.bz2 or zip");
        File.WriteAllBytes(_work.File("cut.tar.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
        AssertRefused("cut.tar.gz", "");
    }

    private void AssertRefused(string archive, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeArchive.Extract(_work.File(archive), _work.File("out")));
        Assert.Contains(reason, error.Message);
        Assert.False(Directory.Exists(_work.File("out")), "a refused archive left its destination behind");
        Assert.False(Directory.Exists(_work.File("out.partial")), "a refused archive left a partial directory behind");
    }
}
