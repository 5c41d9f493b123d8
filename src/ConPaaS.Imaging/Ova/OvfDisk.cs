namespace ConPaaS.Imaging.Ova;

/// <summary>A disk as the OVF references it: the file in the archive, its size, and the virtual capacity.</summary>
public sealed record OvfDisk(string FileName, long FileSize, long Capacity, Guid Uuid);
