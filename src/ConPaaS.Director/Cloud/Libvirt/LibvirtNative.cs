using System.Runtime.InteropServices;

namespace ConPaaS.Director.Cloud.Libvirt;

/// <summary>
/// The part of libvirt's C API (libvirt.so.0, Debian's libvirt0) the driver uses (transient domains: create, look up,
/// list, destroy, devices added and removed while they run) and what persistent domains need (define, start, undefine; today only the binding's tests use them,
/// kept for qemu:/// VMs from the services image), declared as in libvirt's headers
/// (include/libvirt/libvirt-host.h, libvirt-domain.h, virterror.h). No bindings are in the package registry; this is
/// the whole of ours. Pointers stay raw here; <see cref="LibvirtConnection"/> and <see cref="LibvirtDomain"/> own them.
/// </summary>
internal static unsafe partial class LibvirtNative
{
    private const string Library = "libvirt.so.0";

    /// <summary>virErrorNumber VIR_ERR_NO_DOMAIN: a lookup found nothing.</summary>
    public const int NoDomain = 42;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virConnectOpen(string uri);

    [LibraryImport(Library)]
    public static partial int virConnectClose(IntPtr connection);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainDefineXML(IntPtr connection, string xml);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainCreateXML(IntPtr connection, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainLookupByName(IntPtr connection, string name);

    /// <summary>Fills *domains with a malloc'd array of domain pointers (each to be freed, then the array); returns the count or -1.</summary>
    [LibraryImport(Library)]
    public static partial int virConnectListAllDomains(IntPtr connection, out IntPtr* domains, uint flags);

    [LibraryImport(Library)]
    public static partial int virDomainCreate(IntPtr domain);

    /// <summary>virDomainModificationImpact VIR_DOMAIN_AFFECT_LIVE: the running domain, not its persistent definition.</summary>
    public const uint AffectLive = 1;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int virDomainAttachDeviceFlags(IntPtr domain, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int virDomainDetachDeviceFlags(IntPtr domain, string xml, uint flags);

    [LibraryImport(Library)]
    public static partial int virDomainDestroy(IntPtr domain);

    [LibraryImport(Library)]
    public static partial int virDomainUndefine(IntPtr domain);

    [LibraryImport(Library)]
    public static partial int virDomainFree(IntPtr domain);

    [LibraryImport(Library)]
    public static partial int virDomainIsActive(IntPtr domain);

    [LibraryImport(Library)]
    public static partial int virDomainIsPersistent(IntPtr domain);

    /// <summary>A const char* owned by the domain object: not to be freed.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr virDomainGetName(IntPtr domain);

    /// <summary>A malloc'd char*: the caller frees it.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr virDomainGetXMLDesc(IntPtr domain, uint flags);

    /// <summary>This thread's last error (a virErrorPtr whose first field is the int code), or null; libvirt keeps it.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr virGetLastError();

    /// <summary>This thread's last error's message (libvirt keeps the string), "no error" when there is none.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr virGetLastErrorMessage();

    [LibraryImport(Library)]
    public static partial void virResetLastError();

    [LibraryImport(Library)]
    public static partial void virSetErrorFunc(IntPtr userData, delegate* unmanaged<IntPtr, IntPtr, void> handler);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(IntPtr pointer);

    /// <summary>libvirt prints every error to stderr unless a handler is set; ours ignores them, since each call's
    /// error is read and thrown (with libvirt's own message) by the caller.</summary>
    public static void QuietErrors() => virSetErrorFunc(IntPtr.Zero, &IgnoreError);

    [UnmanagedCallersOnly]
    private static void IgnoreError(IntPtr userData, IntPtr error)
    {
    }
}
