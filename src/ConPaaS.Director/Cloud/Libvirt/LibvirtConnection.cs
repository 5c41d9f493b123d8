using System.Runtime.InteropServices;
using static ConPaaS.Director.Cloud.Libvirt.LibvirtNative;

namespace ConPaaS.Director.Cloud.Libvirt;

/// <summary>A libvirt call that failed, with libvirt's own message and error code.</summary>
public sealed class LibvirtException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// One connection to libvirt (<c>lxc:///</c>, <c>qemu:///system</c>, <c>lxc+ssh://host/</c>, or <c>test:///default</c>,
/// libvirt's built-in fake hypervisor, in tests). libvirt's connections are thread-safe; its last error is per
/// thread, so every call reads its error on the thread that made it, before anything else runs.
/// </summary>
public sealed class LibvirtConnection : IDisposable
{
    private IntPtr _handle;

    public string Uri { get; }

    private LibvirtConnection(IntPtr handle, string uri) => (_handle, Uri) = (handle, uri);

    public static LibvirtConnection Open(string uri)
    {
        try
        {
            QuietErrors();
        }
        catch (DllNotFoundException)
        {
            throw new LibvirtException($"libvirt is not installed (libvirt.so.0; Debian: libvirt0), so {uri} cannot be reached", 0);
        }
        var handle = virConnectOpen(uri);
        return handle != IntPtr.Zero ? new LibvirtConnection(handle, uri) : throw Failure($"cannot connect to {uri}");
    }

    /// <summary>Defines a persistent domain from its XML (it stays defined, stopped, until undefined).</summary>
    public LibvirtDomain Define(string xml) => Domain(virDomainDefineXML(Handle, xml), "cannot define the domain");

    /// <summary>Starts a transient domain from its XML: it exists while it runs.</summary>
    public LibvirtDomain CreateTransient(string xml) => Domain(virDomainCreateXML(Handle, xml, 0), "cannot create the domain");

    /// <summary>The domain called <paramref name="name"/>, or null when there is none.</summary>
    public LibvirtDomain? Find(string name)
    {
        var domain = virDomainLookupByName(Handle, name);
        if (domain != IntPtr.Zero) return new LibvirtDomain(domain);
        return LastErrorCode() == NoDomain ? null : throw Failure($"cannot look up the domain {name}");
    }

    /// <summary>Every domain, running or only defined.</summary>
    public unsafe IReadOnlyList<LibvirtDomain> Domains()
    {
        var count = virConnectListAllDomains(Handle, out var array, 0);
        if (count < 0) throw Failure("cannot list the domains");
        try
        {
            var domains = new List<LibvirtDomain>(count);
            for (var i = 0; i < count; i++) domains.Add(new LibvirtDomain(array[i]));
            return domains;
        }
        finally
        {
            Free((IntPtr)array);
        }
    }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(LibvirtConnection));

    private static LibvirtDomain Domain(IntPtr domain, string what) => domain != IntPtr.Zero ? new LibvirtDomain(domain) : throw Failure(what);

    internal static int LastErrorCode() => virGetLastError() is var error && error != IntPtr.Zero ? Marshal.ReadInt32(error) : 0;

    /// <summary>The calling thread's last libvirt error, as an exception saying what we were doing.</summary>
    internal static LibvirtException Failure(string what)
    {
        var code = LastErrorCode();
        var message = code == 0 ? "libvirt gave no reason" : Marshal.PtrToStringUTF8(virGetLastErrorMessage()) ?? "libvirt gave no reason";
        virResetLastError();
        return new LibvirtException($"{what}: {message}", code);
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        virConnectClose(_handle);
        _handle = IntPtr.Zero;
    }
}

/// <summary>A domain (a container or a VM) that libvirt knows; disposing frees our reference, not the domain.</summary>
public sealed class LibvirtDomain : IDisposable
{
    private IntPtr _handle;

    internal LibvirtDomain(IntPtr handle) => _handle = handle;

    public string Name => Marshal.PtrToStringUTF8(virDomainGetName(Handle)) ?? throw LibvirtConnection.Failure("cannot read a domain's name");

    public bool IsActive => Check(virDomainIsActive(Handle), "cannot tell whether the domain runs") == 1;

    public bool IsPersistent => Check(virDomainIsPersistent(Handle), "cannot tell whether the domain is defined") == 1;

    public string Xml
    {
        get
        {
            var name = Name;
            var xml = virDomainGetXMLDesc(Handle, 0);
            if (xml == IntPtr.Zero) throw LibvirtConnection.Failure($"cannot read {name}'s XML");
            try
            {
                return Marshal.PtrToStringUTF8(xml)!;
            }
            finally
            {
                LibvirtNative.Free(xml);
            }
        }
    }

    public void Start() => Call(virDomainCreate, name => $"cannot start {name}");

    /// <summary>Stops the domain at once (libvirt's "destroy": the power cord, not a shutdown).</summary>
    public void Destroy() => Call(virDomainDestroy, name => $"cannot stop {name}");

    public void Undefine() => Call(virDomainUndefine, name => $"cannot undefine {name}");

    /// <summary>Adds a device (a disk, say) to the running domain, described as in its XML.</summary>
    public void AttachDevice(string xml) => Call(domain => virDomainAttachDeviceFlags(domain, xml, LibvirtNative.AffectLive), name => $"cannot add a device to {name}");

    public void DetachDevice(string xml) => Call(domain => virDomainDetachDeviceFlags(domain, xml, LibvirtNative.AffectLive), name => $"cannot remove a device from {name}");

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(LibvirtDomain));

    private static int Check(int result, string what) => result >= 0 ? result : throw LibvirtConnection.Failure(what);

    /// <summary>
    /// Calls libvirt on this domain, its name read before: every libvirt call, virDomainGetName too, clears the
    /// thread's last error, so a name read for the message after a failure lost libvirt's reason (seen in CI as a
    /// destroy that "failed without a reason").
    /// </summary>
    private void Call(Func<IntPtr, int> call, Func<string, string> what)
    {
        var name = Name;
        Check(call(Handle), what(name));
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        virDomainFree(_handle);
        _handle = IntPtr.Zero;
    }
}
