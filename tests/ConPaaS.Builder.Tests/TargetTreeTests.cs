using ConPaaS.Builder.Stages;
using ConPaaS.Testing;

namespace ConPaaS.Builder.Tests;

/// <summary>Writes into an image tree follow the image's symlinks inside the tree and never reach the host.</summary>
public class TargetTreeTests
{
    [Fact]
    public void AbsoluteSymlinksResolveInsideTheTreeNotOnTheHost()
    {
        using var temp = new TempDirectory();
        var hostFile = temp.File("host-secret");
        File.WriteAllText(hostFile, "host");
        var tree = new TargetTree(temp.File("tree"));
        tree.CreateDirectory("/etc");
        tree.CreateDirectory("/run/systemd");
        File.CreateSymbolicLink(tree.HostPath("/etc/resolv.conf"), hostFile);           // points at the host file
        File.CreateSymbolicLink(tree.HostPath("/etc/conf.d"), "/run/systemd");           // absolute, meant for the image
        File.CreateSymbolicLink(tree.HostPath("/etc/escape"), "../../../../../../tmp"); // climbs above the root

        tree.WriteText("/etc/resolv.conf", "nameserver 10.0.2.3\n");
        tree.WriteText("/etc/conf.d/x.conf", "inside\n");
        tree.WriteText("/etc/escape/y", "inside too\n");

        Assert.Equal("host", File.ReadAllText(hostFile));
        Assert.Equal("nameserver 10.0.2.3\n", File.ReadAllText(Path.Combine(tree.Root, "etc/resolv.conf")));
        Assert.Equal("inside\n", File.ReadAllText(Path.Combine(tree.Root, "run/systemd/x.conf")));
        Assert.Equal("inside too\n", File.ReadAllText(Path.Combine(tree.Root, "tmp/y")));
    }

    [Fact]
    public void OverlayKeepsModesAndLinks()
    {
        using var temp = new TempDirectory();
        var overlay = temp.File("overlay");
        Directory.CreateDirectory(Path.Combine(overlay, "usr/local/bin"));
        File.WriteAllText(Path.Combine(overlay, "usr/local/bin/tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(overlay, "usr/local/bin/tool"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(overlay, "usr/local/bin/alias"), "tool");
        var tree = new TargetTree(temp.File("tree"));

        tree.Overlay(overlay);

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(tree.HostPath("/usr/local/bin/tool")));
        Assert.Equal("tool", new FileInfo(tree.HostPath("/usr/local/bin/alias")).LinkTarget);
    }
}
