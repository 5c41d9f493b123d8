using Dapper;

namespace ConPaaS.Director.Data;

/// <summary>The volumes table: each volume's name within its application, its size and the node it is attached to.</summary>
public sealed class VolumeRecords(Database database)
{
    private const string Columns = "vid, name, app_id, size_mb, cloud, vmid, created";

    /// <summary>The new volume, or null when the application already has one of that name.</summary>
    public Volume? Add(long aid, string name, long sizeMb, string cloud) => database.Write((connection, transaction) =>
        connection.ExecuteScalar<long>("SELECT COUNT(*) FROM volumes WHERE app_id = @aid AND name = @name", new { aid, name }, transaction) > 0
            ? null
            : connection.QuerySingle<Volume>(
                $"INSERT INTO volumes (name, app_id, size_mb, cloud, created) VALUES (@name, @aid, @sizeMb, @cloud, @created) RETURNING {Columns}",
                new { name, aid, sizeMb, cloud, created = DateTimeOffset.UtcNow.ToString("O") }, transaction));

    public Volume? Find(long aid, string name) => database.Read(connection =>
        connection.QuerySingleOrDefault<Volume>($"SELECT {Columns} FROM volumes WHERE app_id = @aid AND name = @name", new { aid, name }));

    public IReadOnlyList<Volume> OfApplication(long aid) => database.Read(connection =>
        connection.Query<Volume>($"SELECT {Columns} FROM volumes WHERE app_id = @aid ORDER BY vid", new { aid }).ToList());

    public IReadOnlyList<Volume> AttachedTo(string vmid) => database.Read(connection =>
        connection.Query<Volume>($"SELECT {Columns} FROM volumes WHERE vmid = @vmid", new { vmid }).ToList());

    /// <summary>Sets (or, with null, clears) the node the volume is attached to.</summary>
    public void SetNode(long vid, string? vmid) => database.Write((connection, transaction) =>
        connection.Execute("UPDATE volumes SET vmid = @vmid WHERE vid = @vid", new { vmid, vid }, transaction));

    public void Delete(long vid) => database.Write((connection, transaction) =>
        connection.Execute("DELETE FROM volumes WHERE vid = @vid", new { vid }, transaction));
}
