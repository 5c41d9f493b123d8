using ConPaaS.Platform.Rpc;
using System.Collections.Concurrent;
using System.Globalization;
using ConPaaS.Node;
using ConPaaS.Platform.Security;

namespace ConPaaS.Manager;

/// <summary>
/// The application manager (service_id 0): the services of one application and their states. The director tells it
/// about added and removed services; starting them and their agents is the service managers' part.
/// </summary>
public sealed class ApplicationManager(NodeContext context, NodeClients clients, ManagerLog log)
{
    private readonly ConcurrentDictionary<long, ServiceManager> _services = new();
    private readonly ConcurrentDictionary<long, string> _startupScripts = new();

    /// <summary>The manager's rule: user, manager or frontend certificates of this application's owner.</summary>
    public bool Authorize(CertificateIdentity caller) =>
        caller.Uid == context.UserId
        && (caller.Role is Roles.User or Roles.Frontend || (caller.Role == Roles.Manager && caller.ApplicationId == context.AppId));

    public async Task<object?> DispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        if (call.ServiceId != 0) return await Service(call.ServiceId).DispatchAsync(call, cancellationToken);
        switch (call.Method)
        {
            case "check_process":
                return true;
            case "get_app_info":
                return new
                {
                    states = _services.Values.OrderBy(s => s.Id).ToDictionary(s => s.Id.ToString(CultureInfo.InvariantCulture), s => s.State),
                    nodes = _services.Values.SelectMany(s => s.Nodes.Select(n => new { service_id = s.Id, id = n.Id, ip = n.Ip, role = n.Role })),
                    volumes = Array.Empty<object>(),
                };
            case "add_service":
                return AddService(call);
            case "remove_service":
                return await RemoveServiceAsync(call.Long("service_id"), cancellationToken);
            case "get_manager_log":
                return log.Read();
            case "upload_startup_script":
                var sid = call.Long("sid");
                Service(sid);
                await using (var script = call.File("script").OpenReadStream())
                using (var reader = new StreamReader(script))
                    _startupScripts[sid] = await reader.ReadToEndAsync(cancellationToken);
                log.Write($"service {sid}: startup script stored");
                return true;
            case "get_startup_script":
                return _startupScripts.TryGetValue(call.Long("sid"), out var stored) ? stored : "";
            case "stopall":
                foreach (var service in _services.Values.Where(s => s.Nodes.Count > 0)) await service.StopAsync(cancellationToken);
                return true;
            // The application-level forms of the service calls, as ConPaaS clients send them.
            case "start_service" or "stop_service" or "add_nodes" or "remove_nodes" or "get_agent_log":
                return await Service(call.Long("service_id")).DispatchAsync(call, cancellationToken);
            default:
                throw new RpcException($"the application manager has no method '{call.Method}'");
        }
    }

    private ServiceManager Service(long id) =>
        _services.TryGetValue(id, out var service) ? service : throw new RpcException($"application {context.AppId} has no service {id}");

    private object AddService(RpcCall call)
    {
        var id = call.Long("service_id");
        var type = call.String("service_type");
        var name = call.OptionalString("name") ?? type;
        var cloud = call.OptionalString("cloud") ?? "default";
        ServiceManager service = type switch
        {
            "helloworld" => new HelloworldManager(id, name, cloud, clients, log),
            "generic" => new GenericManager(id, name, cloud, clients, log, context.StateDirectory),
            _ => throw new RpcException($"this manager cannot run '{type}' services yet; it runs helloworld and generic"),
        };
        if (!_services.TryAdd(id, service)) throw new RpcException($"service {id} already exists");
        log.Write($"service {id} ({type}) added");
        return new { service_id = id };
    }

    /// <summary>Removes a service, stopping its agents first if it runs (the guide removes running services).</summary>
    private async Task<object> RemoveServiceAsync(long id, CancellationToken cancellationToken)
    {
        var service = Service(id);
        if (service.State is "PROLOGUE" or "ADAPTING" or "EPILOGUE") throw new RpcException($"service {id} is {service.State}; wait until it is done");
        await service.StopAsync(cancellationToken);
        _services.TryRemove(id, out _);
        log.Write($"service {id} removed");
        return true;
    }
}
