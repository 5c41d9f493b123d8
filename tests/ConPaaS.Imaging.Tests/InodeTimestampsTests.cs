using ConPaaS.Imaging.Ext4;
using ConPaaS.Testing;

namespace ConPaaS.Imaging.Tests;

/// <summary>Our ext4 inode rewrite judged by e2fsck (checksums, structure) and debugfs (the times themselves).</summary>
public class InodeTimestampsTests
{
    [Fact]
    public void EveryInodeGetsTheTimesAndE2fsckFindsNoFault()
    {
        using var temp = new TempDirectory();
        var files = Enumerable.Range(0, 300).ToDictionary(i => $"dir{i % 7}/file{i}.txt", i => $"content {i}\n");
        var image = Filesystems.Ext4(temp, "root.ext4", 64, files);
        const uint epoch = 1_700_000_000;

        var rewritten = InodeTimestamps.SetChangeAndAccessTimes(image, epoch);

        Assert.True(rewritten > 300, $"only {rewritten} inodes rewritten");
        HostTool.Run("e2fsck", "-fn", image);
        foreach (var path in new[] { "/", "/dir3", "/dir3/file3.txt", "/lost+found" })
        {
            var stat = HostTool.Run("debugfs", "-R", $"stat {path}", image);
            Assert.Contains("ctime: 0x6553f100:00000000", stat);
            Assert.Contains("atime: 0x6553f100:00000000", stat);
        }
        Assert.Equal("content 3\n", HostTool.Run("debugfs", "-R", "cat /dir3/file3.txt", image));
    }

    [Fact]
    public void NotAnExt4ImageIsAClearError()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("x.img"), new byte[8192]);
        var error = Assert.Throws<InvalidDataException>(() => InodeTimestamps.SetChangeAndAccessTimes(temp.File("x.img"), 1));
        Assert.Contains("no superblock magic", error.Message);
    }
}
