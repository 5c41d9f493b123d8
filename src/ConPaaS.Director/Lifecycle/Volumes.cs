using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;

namespace ConPaaS.Director.Lifecycle;

/// <summary>
/// Volumes, on a manager's behalf: create (size in MB, rounded up to the driver's unit), attach to and detach from
/// one of the application's nodes, destroy (only when detached).
/// </summary>
public sealed class Volumes(VolumeRecords records, ICloudDriver driver, Nodes nodes, DirectorSettings settings)
{
    public const long MaxSizeMb = 1 << 20;

    public async Task<Volume> CreateAsync(Application application, string name, long requestedMb, string? cloud, CancellationToken cancellationToken)
    {
        CheckName(name);
        var size = (requestedMb + driver.VolumeUnitMb - 1) / driver.VolumeUnitMb * driver.VolumeUnitMb;
        var target = Clouds.Check(settings, cloud);
        var volume = records.Add(application.Aid, name, size, target)
                     ?? throw RefusedException.Conflict($"application {application.Aid} already has a volume '{name}'");
        try
        {
            await driver.CreateVolumeAsync(Nodes.VolumeId(volume.Vid), size, cancellationToken);
        }
        catch
        {
            records.Delete(volume.Vid);
            throw;
        }
        return volume;
    }

    /// <summary>Attaches the volume to a node of the application; the device for the node to mount, when the driver gives one.</summary>
    public async Task<(Volume Volume, AttachedDevice? Device)> AttachAsync(Application application, string name, string vmid)
    {
        var volume = Find(application, name);
        if (nodes.OfApplication(application.Aid).All(r => r.Vmid != vmid))
            throw RefusedException.NotFound($"application {application.Aid} has no node '{vmid}'");
        if (volume.Vmid is not null) throw RefusedException.Conflict($"volume '{volume.Name}' is attached to {volume.Vmid}");
        AttachedDevice? device;
        try
        {
            device = await driver.AttachVolumeAsync(Nodes.VolumeId(volume.Vid), vmid, volume.Name);
        }
        catch (NotADirectoryException e)
        {
            // The node's side is the node's to keep: one that broke its volumes directory gets a refusal, not a 500.
            throw RefusedException.Conflict($"volume '{volume.Name}' cannot be attached to {vmid}: {e.Message}");
        }
        records.SetNode(volume.Vid, vmid);
        return (volume with { Vmid = vmid }, device);
    }

    public async Task DetachAsync(Application application, string name)
    {
        var volume = Find(application, name);
        if (volume.Vmid is null) throw RefusedException.Conflict($"volume '{volume.Name}' is not attached");
        await driver.DetachVolumeAsync(Nodes.VolumeId(volume.Vid), volume.Vmid, volume.Name);
        records.SetNode(volume.Vid, null);
    }

    public async Task DestroyAsync(Application application, string name)
    {
        var volume = Find(application, name);
        if (volume.Vmid is not null) throw RefusedException.Conflict($"volume '{volume.Name}' is attached to {volume.Vmid}; detach it first");
        await driver.DestroyVolumeAsync(Nodes.VolumeId(volume.Vid));
        records.Delete(volume.Vid);
    }

    private Volume Find(Application application, string name) =>
        records.Find(application.Aid, name) ?? throw RefusedException.NotFound($"application {application.Aid} has no volume '{name}'");

    /// <summary>Volume names become file and link names: letters, digits, '-', '_', '.', at most 64, no leading dot.</summary>
    private static void CheckName(string name)
    {
        if (!(name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw RefusedException.Invalid("'volume_name' must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'");
    }
}
