using Dapper;

namespace ConPaaS.Director.Data;

/// <summary>The services table: services numbered per application, with the state last known to the director.</summary>
public sealed class ServiceRecords(Database database)
{
    private const string Columns = "application_id, sid, name, type, state, cloud, created";

    /// <summary>Records a new service under the application's next free number, in state INIT.</summary>
    public Service Add(long aid, string type, string name, string cloud) => database.Write((connection, transaction) => connection.QuerySingle<Service>(
        $"""
        INSERT INTO services (application_id, sid, name, type, state, cloud, created)
        VALUES (@aid, (SELECT COALESCE(MAX(sid), 0) + 1 FROM services WHERE application_id = @aid), @name, @type, @init, @cloud, @created)
        RETURNING {Columns}
        """, new { aid, name, type, init = Platform.Services.LifecycleState.Init, cloud, created = DateTimeOffset.UtcNow.ToString("O") }, transaction));

    public Service? Find(long aid, long sid) => database.Read(connection =>
        connection.QuerySingleOrDefault<Service>($"SELECT {Columns} FROM services WHERE application_id = @aid AND sid = @sid", new { aid, sid }));

    public IReadOnlyList<Service> OfApplications(IEnumerable<long> aids) => database.Read(connection => connection.Query<Service>(
        $"SELECT {Columns} FROM services WHERE application_id IN @ids ORDER BY application_id, sid", new { ids = aids.ToArray() }).ToList());

    public void Rename(Service service, string name) => database.Write((connection, transaction) => connection.Execute(
        "UPDATE services SET name = @name WHERE application_id = @ApplicationId AND sid = @Sid", new { name, service.ApplicationId, service.Sid }, transaction));

    public void Delete(Service service) => database.Write((connection, transaction) => connection.Execute(
        "DELETE FROM services WHERE application_id = @ApplicationId AND sid = @Sid", new { service.ApplicationId, service.Sid }, transaction));
}
