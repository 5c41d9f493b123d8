using System.Collections.Concurrent;
using ConPaaS.Node;
using ConPaaS.Platform.Security;

namespace ConPaaS.Manager;

/// <summary>
/// The application manager (service_id 0): the services of one application and their states. The director tells it
/// about added and removed services; starting them and their agents is the service managers' part.
/// </summary>
public sealed class ApplicationManager(NodeContext context)
{
    private sealed record ServiceEntry(long Id, string Type, string Name, string Cloud, string State);

    private readonly ConcurrentDictionary<long, ServiceEntry> _services = new();

    /// <summary>The manager's rule: user, manager or frontend certificates of this application's owner.</summary>
    public bool Authorize(CertificateIdentity caller) =>
        caller.Uid == context.UserId
        && (caller.Role is Roles.User or Roles.Frontend || (caller.Role == Roles.Manager && caller.ApplicationId == context.AppId));

    public Task<object?> DispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        if (call.ServiceId != 0)
        {
            var service = _services.TryGetValue(call.ServiceId, out var found) ? found : throw new RpcException($"application {context.AppId} has no service {call.ServiceId}");
            return Task.FromResult<object?>(call.Method switch
            {
                "get_service_info" => new { state = service.State, type = service.Type },
                _ => throw new RpcException($"service {service.Id} ({service.Type}) has no method '{call.Method}'"),
            });
        }
        return Task.FromResult<object?>(call.Method switch
        {
            "check_process" => true,
            "get_app_info" => new
            {
                states = _services.Values.OrderBy(s => s.Id).ToDictionary(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.State),
                nodes = Array.Empty<object>(),
                volumes = Array.Empty<object>(),
            },
            "add_service" => AddService(call),
            "remove_service" => RemoveService(call.Long("service_id")),
            _ => throw new RpcException($"the application manager has no method '{call.Method}'"),
        });
    }

    private object AddService(RpcCall call)
    {
        var id = call.Long("service_id");
        var entry = new ServiceEntry(id, call.String("service_type"), call.OptionalString("name") ?? call.String("service_type"), call.OptionalString("cloud") ?? "default", "INIT");
        if (!_services.TryAdd(id, entry)) throw new RpcException($"service {id} already exists");
        return new { service_id = id };
    }

    private object RemoveService(long id)
    {
        if (!_services.TryGetValue(id, out var service)) throw new RpcException($"application {context.AppId} has no service {id}");
        if (service.State is "RUNNING" or "PROLOGUE" or "ADAPTING")
            throw new RpcException($"service {id} is {service.State}; stop it before removing it");
        _services.TryRemove(id, out _);
        return true;
    }
}
