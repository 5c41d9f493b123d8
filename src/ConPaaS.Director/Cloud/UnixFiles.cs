using System.Runtime.InteropServices;

namespace ConPaaS.Director.Cloud;

/// <summary>The few POSIX file calls .NET lacks (ownership, hard links, the effective user), through libc.</summary>
public static partial class UnixFiles
{
    public static bool RunningAsRoot => GetEffectiveUserId() == 0;

    /// <summary>Gives <paramref name="path"/> and, for a directory, everything below it to uid:gid, never following a
    /// symbolic link (a link a node planted must not hand it some other file).</summary>
    public static void ChangeOwnerRecursively(string path, uint uid, uint gid)
    {
        ChangeOwner(path, uid, gid);
        if (new FileInfo(path) is { Attributes: var attributes } && attributes.HasFlag(FileAttributes.Directory) && !attributes.HasFlag(FileAttributes.ReparsePoint))
            foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                ChangeOwnerRecursively(entry, uid, gid);
    }

    public static void ChangeOwner(string path, uint uid, uint gid)
    {
        if (LinkChangeOwner(path, uid, gid) != 0) throw Failure($"cannot give {path} to uid {uid}");
    }

    /// <summary>
    /// Gives an existing file a second name, <paramref name="name"/> in <paramref name="directory"/>, when that
    /// directory may belong to someone else (a node's own): the directory is opened without following a symbolic
    /// link and the link made through that handle, so a node that swaps its directory for a link to /etc cannot make
    /// root write there.
    /// </summary>
    public static void HardLinkInto(string existing, string directory, string name)
    {
        using var handle = OpenDirectory(directory);
        if (LinkAt(AtCurrentDirectory, existing, handle.Descriptor, name, 0) != 0) throw Failure($"cannot link {Path.Combine(directory, name)} to {existing}");
    }

    /// <summary>Removes <paramref name="name"/> from a directory that may belong to someone else; gone already is fine.</summary>
    public static void RemoveFrom(string directory, string name)
    {
        using var handle = OpenDirectory(directory);
        if (UnlinkAt(handle.Descriptor, name, 0) != 0 && Marshal.GetLastPInvokeError() != NoSuchEntry) throw Failure($"cannot remove {Path.Combine(directory, name)}");
    }

    private const int AtCurrentDirectory = -100, NoSuchEntry = 2, NotADirectory = 20, TooManyLinks = 40;

    /// <summary>open(2)'s O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, whose values differ between x86 and Arm.</summary>
    private static int DirectoryNoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
        ? 0x4000 | 0x8000 | 0x80000
        : 0x10000 | 0x20000 | 0x80000;

    private static DirectoryHandle OpenDirectory(string directory)
    {
        var descriptor = Open(directory, DirectoryNoFollow);
        if (descriptor >= 0) return new DirectoryHandle(descriptor);
        // ELOOP or ENOTDIR: what stands there is a link or no directory; that is the node's doing, not a failure of ours.
        if (Marshal.GetLastPInvokeError() is TooManyLinks or NotADirectory)
            throw new NotADirectoryException($"{directory} is not a directory (a symbolic link is refused)");
        throw Failure($"cannot open the directory {directory}");
    }

    private readonly record struct DirectoryHandle(int Descriptor) : IDisposable
    {
        public void Dispose() => Close(Descriptor);
    }

    private static IOException Failure(string what) => new($"{what}: {Marshal.GetLastPInvokeErrorMessage()}");

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkChangeOwner(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAt(int directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}

/// <summary>A path that should name a directory names a symbolic link or something else instead.</summary>
public sealed class NotADirectoryException(string message) : IOException(message);
