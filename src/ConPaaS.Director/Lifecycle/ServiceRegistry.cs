using ConPaaS.Director.Api;
using ConPaaS.Director.Data;
using Dapper;

namespace ConPaaS.Director.Lifecycle;

/// <summary>Adding a service: numbered per application in the database, then handed to the application's manager.</summary>
public sealed class ServiceRegistry(Database database, ManagerClient managers)
{
    public async Task<Service> AddAsync(Application application, string type, string name, string cloud, CancellationToken cancellationToken)
    {
        if (application.Status != ApplicationStatus.Running)
            throw ApiException.Conflict($"application {application.Aid} is {application.Status}; start it before adding services");
        var service = database.Write((connection, transaction) => connection.QuerySingle<Service>(
            $"""
            INSERT INTO services (application_id, sid, name, type, state, cloud, created)
            VALUES (@Aid, (SELECT COALESCE(MAX(sid), 0) + 1 FROM services WHERE application_id = @Aid), @name, @type, 'INIT', @cloud, @created)
            RETURNING {ServicesApi.Columns}
            """, new { application.Aid, name, type, cloud, created = DateTimeOffset.UtcNow.ToString("O") }, transaction));
        try
        {
            await managers.CallAsync(application, "add_service", new { service_type = type, service_id = service.Sid, name, cloud }, cancellationToken);
        }
        catch (Exception e) when (e is ConPaaS.Platform.Rpc.RpcException or HttpRequestException or TaskCanceledException)
        {
            ServicesApi.Delete(database, service);
            throw new ApiException(StatusCodes.Status502BadGateway, $"the application manager refused the service: {e.Message}");
        }
        return service;
    }
}
