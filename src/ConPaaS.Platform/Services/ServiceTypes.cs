namespace ConPaaS.Platform.Services;

/// <summary>
/// The registry: one line per service type, in the order the director lists them. Types not yet runnable are
/// offered by name (as the original director did) and refused when something tries to run them.
/// </summary>
public static class ServiceTypes
{
    private static readonly List<ServiceType> Registered = [];

    /// <summary>php and java: the first agent holds all three roles; the first extra backend takes the backend role off it (the seeds' rule).</summary>
    public static readonly ServiceType Php = Register(new("php", "PHP web hosting",
        [new("proxy", 1, Min: 1), new("web", 1, Min: 1), new("backend", 1, Min: 1)], TakesCode: true, Runnable: true));
    public static readonly ServiceType Java = Register(new("java", "Java web hosting",
        [new("proxy", 1, Min: 1), new("web", 1, Min: 1), new("backend", 1, Min: 1)], TakesCode: true, Runnable: true));
    public static readonly ServiceType Helloworld = Register(new("helloworld", "agents that greet", [new("helloworld", 1)], TakesCode: false, Runnable: true));
    public static readonly ServiceType Xtreemfs = Register(new("xtreemfs", "the XtreemFS distributed file system", [], TakesCode: false, Runnable: false));
    /// <summary>mysql: Galera nodes, and glb agents balancing over them.</summary>
    public static readonly ServiceType Mysql = Register(new("mysql", "MySQL databases (MariaDB Galera cluster)", [new("mysql", 1, Min: 1), new("glb", 0)], TakesCode: false, Runnable: true));
    public static readonly ServiceType Generic = Register(new("generic", "your own scripts on a master and nodes", [new("master", 1, Min: 1, Max: 1), new("node", 0)], TakesCode: true, Runnable: true));

    public static IReadOnlyList<ServiceType> All => Registered;

    public static IEnumerable<ServiceType> Runnable => Registered.Where(t => t.Runnable);

    public static ServiceType? Find(string name) => Registered.FirstOrDefault(t => t.Name == name);

    private static ServiceType Register(ServiceType type)
    {
        Registered.Add(type);
        return type;
    }
}
