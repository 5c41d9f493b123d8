using System.Runtime.InteropServices;

namespace ConPaaS.Common;

/// <summary>Pointing a symbolic link somewhere else in one step, so a reader sees the old target or the new one.</summary>
public static partial class SymbolicLink
{
    /// <summary>Makes <paramref name="link"/> point at <paramref name="target"/>: a new link beside it, renamed over it
    /// with rename(2) itself (File.Move refuses a link to a directory as its source).</summary>
    public static void Replace(string link, string target)
    {
        if (new FileInfo(link).LinkTarget == target) return;
        var temporary = link + ".new";
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        if (Rename(temporary, link) != 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            File.Delete(temporary);
            throw new IOException($"cannot point {link} at {target}: {error}");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
