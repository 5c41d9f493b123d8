using ConPaaS.Builder;

namespace ConPaaS.Build.Targets;

/// <summary>Host tools that more than one target runs, declared once here.</summary>
internal static class SharedTools
{
    /// <summary>The .NET SDK: build.sh and build.ps1 require it before anything else, so the build never installs it.</summary>
    public static readonly HostTool Dotnet = new("dotnet", Package: null);

    public static readonly HostTool QemuImg = new("qemu-img", "qemu-utils");

    public static readonly HostTool Sfdisk = new("sfdisk", "fdisk");
}
