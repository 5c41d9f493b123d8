using System.Collections.Concurrent;
using System.Globalization;
using ConPaaS.Manager.Git;
using ConPaaS.Manager.Manifests;
using ConPaaS.Manager.Services;
using ConPaaS.Node;
using ConPaaS.Platform.Manifests;
using ConPaaS.Platform.Rpc;
using ConPaaS.Platform.Security;
using ConPaaS.Platform.Services;

namespace ConPaaS.Manager;

/// <summary>
/// The application manager (service_id 0): the services of one application and their states. The director tells it
/// about added and removed services; starting them and their agents is the service managers' part. The application's
/// git repository is kept here too (one per application), set up while the manager starts (<see cref="GitStartup"/>).
/// </summary>
public sealed class ApplicationManager(NodeContext context, NodeClients clients, ManagerLog log, GitStartup git)
{
    private readonly ConcurrentDictionary<long, ServiceManager> _services = new();
    private readonly Lock _deploying = new();
    private ManifestDeployment? _deployment;

    /// <summary>How often every running service's agents are asked whether they live (a dead one is noticed in under 10 s).</summary>
    public static readonly TimeSpan AgentCheckPeriod = TimeSpan.FromSeconds(2);

    /// <summary>Checks the agents of every service until <paramref name="stopping"/>; see <see cref="ServiceManager.CheckAgentsAsync"/>.</summary>
    public async Task WatchAgentsAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(AgentCheckPeriod);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                await Task.WhenAll(_services.Values.Select(s => s.CheckAgentsAsync(stopping)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Write($"checking agents failed: {e.Message}");
            }
        }
    }

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
                    deployment = _deployment?.State,
                };
            case "add_service":
                var added = AddService(call.Long("service_id"), call.String("service_type"), call.OptionalString("name"), call.OptionalString("cloud"));
                return new { service_id = added.Id };
            case "deploy_manifest":
                return await DeployManifestAsync(call, cancellationToken);
            case "remove_service":
                return await RemoveServiceAsync(call.Long("service_id"), cancellationToken);
            case "get_manager_log":
                return log.Read();
            case "upload_startup_script":
                var target = Service(call.Long("sid"));
                await using (var script = call.File("script").OpenReadStream())
                using (var reader = new StreamReader(script))
                    target.StartupScript = await reader.ReadToEndAsync(cancellationToken);
                log.Write($"service {target.Id}: startup script stored; new agents run it first");
                return true;
            case "get_startup_script":
                return Service(call.Long("sid")).StartupScript ?? "";
            case "git_push_hook":
                return await GitPushedAsync(cancellationToken);
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


    /// <summary>The post-receive hook's call: master's commit becomes a code version of every generic service whose
    /// directory (named after its id) it holds. The answer is what the pusher sees.</summary>
    private async Task<object> GitPushedAsync(CancellationToken cancellationToken)
    {
        var repository = (await git.DeploymentAsync()).Repository;
        var commit = await repository.HeadAsync(cancellationToken) ?? throw new RpcException("nothing was pushed to master");
        var messages = new List<string>();
        foreach (var service in _services.Values.OfType<ICodeService>().OrderBy(s => s.Id))
        {
            try
            {
                var version = await service.AddGitVersionAsync(repository, commit, cancellationToken);
                messages.Add(version is null
                    ? $"service {service.Id}: commit {commit[..7]} has no directory {service.Id}/, nothing new"
                    : $"service {service.Id}: code version {version.CodeVersionId} is available (enable it with enable_code)");
            }
            catch (Exception e) when (e is RpcException or ConPaaS.Processes.ToolFailedException)
            {
                messages.Add($"service {service.Id}: {e.Message}");
            }
        }
        if (messages.Count == 0) messages.Add($"commit {commit[..7]} stored; this application has no generic service yet");
        log.Write($"git push of {commit}: {string.Join("; ", messages)}");
        return new { commit, messages };
    }

    private ServiceManager Service(long id) =>
        _services.TryGetValue(id, out var service) ? service : throw new RpcException($"application {context.AppId} has no service {id}");

    private ServiceManager AddService(long id, string type, string? name, string? cloud)
    {
        name ??= type;
        cloud ??= "default";
        var service = ServiceManagers.Create(type, new ServiceContext(id, name, cloud, clients, log,
            ServiceStateDirectory(id), git.DeploymentAsync) { AgentStartTimeout = context.StartTimeout });
        if (!_services.TryAdd(id, service)) throw new RpcException($"service {id} already exists");
        log.Write($"service {id} ({type}) added");
        return service;
    }

    /// <summary>
    /// The director's one call for a manifest (the text and the files sent with it): checked again here, then
    /// deployed in the background, tracked as get_app_info's <c>deployment</c>.
    /// </summary>
    private async Task<object> DeployManifestAsync(RpcCall call, CancellationToken cancellationToken)
    {
        var uploads = new Dictionary<string, byte[]>();
        var names = new Dictionary<string, string>();
        foreach (var (field, file) in call.Files)
        {
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy, cancellationToken);
            uploads[field] = copy.ToArray();
            names[field] = file.FileName;
        }
        Manifest manifest;
        try
        {
            manifest = Manifest.Parse(call.String("manifest"), clouds: null, names);
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(e.Message);
        }
        lock (_deploying)
        {
            if (_deployment is { Completion.IsCompleted: false }) throw new RpcException("a manifest is being deployed already");
            _deployment = ManifestDeployment.Start(manifest, uploads, clients, log, AddService);
        }
        return new { services = manifest.Services.Count };
    }

    /// <summary>Removes a service, stopping its agents first if it runs (the guide removes running services).</summary>
    private async Task<object> RemoveServiceAsync(long id, CancellationToken cancellationToken)
    {
        var service = Service(id);
        if (LifecycleState.IsBusy(service.State)) throw new RpcException($"service {id} is {service.State}; wait until it is done");
        await service.StopAsync(cancellationToken);
        _services.TryRemove(id, out _);
        // The director numbers the next service with a free id, maybe this one: it must not find this one's code.
        if (Directory.Exists(ServiceStateDirectory(id))) Directory.Delete(ServiceStateDirectory(id), recursive: true);
        log.Write($"service {id} removed");
        return true;
    }

    private string ServiceStateDirectory(long id) => Path.Combine(context.StateDirectory, $"service-{id}");
}
