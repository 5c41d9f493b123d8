namespace ConPaaS.Testing;

/// <summary>Real filesystem images made by the real tools, for placing into disks in tests.</summary>
public static class Filesystems
{
    /// <summary>An ext4 image made by mke2fs -d from a directory holding the given files.</summary>
    public static string Ext4(TempDirectory temp, string name, int sizeMiB, IReadOnlyDictionary<string, string> files)
    {
        var tree = temp.File(name + ".tree");
        Directory.CreateDirectory(tree);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(tree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        var image = temp.File(name);
        HostTool.Run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, "-E", "root_owner=0:0", image, $"{sizeMiB}M");
        return image;
    }

    /// <summary>A FAT32 image made by mkfs.vfat, with files copied in by mtools' mcopy.</summary>
    public static string Fat32(TempDirectory temp, string name, int sizeMiB, IReadOnlyDictionary<string, string> files)
    {
        var image = temp.File(name);
        HostTool.Run("mkfs.vfat", "-F", "32", "-C", image, (sizeMiB * 1024).ToString());
        foreach (var (path, content) in files)
        {
            var source = temp.File(name + "." + path);
            File.WriteAllText(source, content);
            HostTool.Run("mcopy", "-i", image, source, "::/" + path);
        }
        return image;
    }

    /// <summary>A swap area made by mkswap.</summary>
    public static string Swap(TempDirectory temp, string name, int sizeMiB)
    {
        var image = temp.File(name);
        using (var file = File.Create(image)) file.SetLength(sizeMiB * 1024L * 1024);
        HostTool.Run("mkswap", image);
        return image;
    }
}
