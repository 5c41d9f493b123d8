using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager.Services;

/// <summary>
/// The service manager classes this program runs, by type name. Each type's folder registers its own class from a
/// module initializer, so adding a type touches no list here.
/// </summary>
public static class ServiceManagers
{
    private static readonly Dictionary<string, Func<ServiceContext, ServiceManager>> Factories = [];

    public static void Register(ServiceType type, Func<ServiceContext, ServiceManager> create) => Factories[type.Name] = create;

    public static ServiceManager Create(string type, ServiceContext context) =>
        Factories.TryGetValue(type, out var create)
            ? create(context)
            : throw new RpcException($"this manager cannot run '{type}' services yet; it runs {string.Join(" and ", Factories.Keys.Order())}");
}
