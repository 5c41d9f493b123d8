using System.Text.Json;

namespace ConPaaS.Manager.Services.Generic;

/// <summary>A volume of the service: its size, the agent it is attached to (null once that agent is gone) and where
/// that agent mounted it (null where the volume is a file in the agent's root, on the local driver).</summary>
public sealed record ServiceVolume(string Name, long SizeMb, string? Agent, string? MountPoint = null);

/// <summary>
/// The service's volumes, kept in its state directory (volumes.json) so a manager of the same application started
/// again still knows them; the director keeps the volumes themselves. Agents do not outlive a manager, so volumes
/// read back are detached.
/// </summary>
public sealed class ServiceVolumes
{
    private readonly string _path;
    private readonly Dictionary<string, ServiceVolume> _volumes;

    public ServiceVolumes(string directory)
    {
        _path = Path.Combine(directory, "volumes.json");
        _volumes = File.Exists(_path)
            ? (JsonSerializer.Deserialize<List<ServiceVolume>>(File.ReadAllText(_path)) ?? []).ToDictionary(v => v.Name, v => v with { Agent = null })
            : [];
    }

    public IReadOnlyList<ServiceVolume> All
    {
        get { lock (_volumes) return _volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToList(); }
    }

    public ServiceVolume? Find(string name)
    {
        lock (_volumes) return _volumes.GetValueOrDefault(name);
    }

    public void Set(ServiceVolume volume)
    {
        lock (_volumes)
        {
            _volumes[volume.Name] = volume;
            Save();
        }
    }

    public void Remove(string name)
    {
        lock (_volumes)
        {
            _volumes.Remove(name);
            Save();
        }
    }

    private void Save() => Common.AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(_volumes.Values.ToList()));
}
