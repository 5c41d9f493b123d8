using System.Formats.Tar;
using System.Globalization;
using System.Net;
using ConPaaS.Processes;

namespace ConPaaS.Director.Cloud;

/// <summary>
/// The machine whose libvirtd runs the containers, as the libvirt driver needs it beyond libvirt's API: each node's
/// root (an overlay mounted there), its context, volumes on loop devices, applications' manager state. All of it is
/// done by that machine's own <c>conpaas-node-host</c> (appliance/container-host), run directly when libvirt is
/// local (the Nutshell) and through ssh when it is not (lxc+ssh://, a Pi, where it is the only command the director's
/// key may run). One implementation on both, so the Nutshell's tests exercise what a Pi runs.
/// </summary>
public sealed class NodeHost(LibvirtSettings libvirt)
{
    public const string Program = "/usr/local/sbin/conpaas-node-host";

    /// <summary>Where a prepared node's parts are, as paths on the node host.</summary>
    public sealed record PreparedNode(string Root, string Volumes, string? ApplicationState);

    /// <summary>A file of a node's context: its path in the container and its mode.</summary>
    public sealed record ContextFile(string Path, string Content, UnixFileMode Mode);

    /// <summary>Where the requests go: "root@172.16.0.11" over ssh, or this machine.</summary>
    public string Name => libvirt.SshHost?.Destination ?? "this machine";

    private Command Request(params string[] request) => libvirt.SshHost is { } host
        ? new Command("ssh", ["-T", "-o", "BatchMode=yes", "-p", host.Port.ToString(CultureInfo.InvariantCulture), host.Destination, .. request])
        : new Command(Program, request);

    private async Task<string> RunAsync(string[] request, CancellationToken cancellationToken, byte[]? input = null)
    {
        var result = await (Request(request) with { StandardInput = input }).RunAsync(cancellationToken, allowFailure: true);
        if (!result.Succeeded)
            throw new IOException($"conpaas-node-host {request[0]} on {Name} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        return result.StandardOutput.Trim();
    }

    public async Task<PreparedNode> PrepareAsync(string vmid, IPAddress address, IEnumerable<ContextFile> context, long? managerOf, CancellationToken cancellationToken)
    {
        string[] request = ["prepare", vmid, address.ToString(), libvirt.BaseDirectory];
        if (managerOf is { } aid) request = [.. request, aid.ToString(CultureInfo.InvariantCulture)];
        var paths = (await RunAsync(request, cancellationToken, Archive(context))).Split(' ');
        if (paths.Length < 2) throw new IOException($"conpaas-node-host prepare on {Name} answered '{string.Join(' ', paths)}', not the node's paths");
        return new PreparedNode(paths[0], paths[1], paths.Length > 2 ? paths[2] : null);
    }

    /// <summary>The context as a tar archive of files below the container's root (with their directories).</summary>
    private static byte[] Archive(IEnumerable<ContextFile> files)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var directories = new HashSet<string>();
            foreach (var file in files)
            {
                var relative = file.Path.TrimStart('/');
                for (var parent = Path.GetDirectoryName(relative); !string.IsNullOrEmpty(parent) && directories.Add(parent); parent = Path.GetDirectoryName(parent))
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, parent + "/") { Mode = (UnixFileMode)0b111_101_101 });
                var bytes = System.Text.Encoding.UTF8.GetBytes(file.Content);
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, relative) { Mode = file.Mode, DataStream = new MemoryStream(bytes) });
            }
        }
        return buffer.ToArray();
    }

    public Task CleanUpAsync(string vmid) => RunAsync(["cleanup", vmid], CancellationToken.None);

    /// <summary>The nodes prepared there and their addresses (containers of a previous run of the director).</summary>
    public async Task<IReadOnlyDictionary<string, IPAddress>> AddressesAsync()
    {
        var addresses = new Dictionary<string, IPAddress>();
        foreach (var line in (await RunAsync(["addresses"], CancellationToken.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Split(' ') is [var vmid, var text] && IPAddress.TryParse(text, out var address)) addresses[vmid] = address;
        return addresses;
    }

    public Task ForgetApplicationAsync(long aid) => RunAsync(["forget-application", aid.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);

    public Task CreateVolumeAsync(string id, long sizeMb, CancellationToken cancellationToken) =>
        RunAsync(["volume-create", id, sizeMb.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    public Task DestroyVolumeAsync(string id) => RunAsync(["volume-destroy", id], CancellationToken.None);

    /// <summary>Sets the volume's file up on a loop device; returns the device.</summary>
    public Task<string> AttachVolumeAsync(string id) => RunAsync(["volume-attach", id], CancellationToken.None);

    public async Task<IReadOnlyList<string>> VolumeLoopsAsync(string id) =>
        (await RunAsync(["volume-loops", id], CancellationToken.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task DetachLoopAsync(string device) => RunAsync(["loop-detach", device], CancellationToken.None);

    /// <summary>The id of the container image installed at LIBVIRT_BASE there; null if none was installed by us.</summary>
    public async Task<string?> BaseIdAsync(CancellationToken cancellationToken) =>
        await RunAsync(["base-id", libvirt.BaseDirectory], cancellationToken) is { Length: > 0 } id ? id : null;

    /// <summary>Installs the container image (the tar.xz file at <paramref name="archive"/>, streamed to the node host)
    /// at LIBVIRT_BASE there as <paramref name="id"/>; false when nodes are prepared there, which keep the image they
    /// were started from.</summary>
    public async Task<bool> InstallBaseAsync(string id, string archive, CancellationToken cancellationToken)
    {
        var result = await (Request("install-base", libvirt.BaseDirectory, id) with { StandardInputFile = archive }).RunAsync(cancellationToken, allowFailure: true);
        if (result.ExitCode == 3) return false;
        if (!result.Succeeded) throw new IOException($"conpaas-node-host install-base on {Name} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        return true;
    }

    /// <summary>The node host's own check of the bridge and (unless the director brings it) the container image: one
    /// problem per line, none when fine.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync()
    {
        string[] request = libvirt.BaseArchive is null ? ["check", libvirt.Bridge, libvirt.BaseDirectory] : ["check", libvirt.Bridge];
        var result = await Request(request).RunAsync(CancellationToken.None, allowFailure: true);
        if (result.Succeeded) return [];
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? [$"conpaas-node-host check on {Name} failed (exit {result.ExitCode})"] : lines;
    }
}
