using System.Text.Json.Nodes;
using ConPaaS.Manager;
using ConPaaS.Manager.Git;
using System.Text.Json;
using ConPaaS.Node;
using ConPaaS.Platform.Rpc;
using ConPaaS.Processes;
using ConPaaS.Platform.Security;

// cpsmanager --config node.cfg: started by the director's cloud driver, never by hand.
// cpsmanager git-push-hook --config node.cfg: run by the repository's post-receive hook after a push.
switch (args)
{
    case ["--config", var path]:
        return await ServeAsync(path);
    case ["git-push-hook", "--config", var path]:
        return await GitPushHookAsync(path);
    default:
        Console.Error.WriteLine("usage: cpsmanager --config NODE.CFG (the director's cloud driver writes the file and starts the manager)");
        return 2;
}

static async Task<int> ServeAsync(string path)
{
    try
    {
        var context = NodeContext.Load(path);
        using var clients = new NodeClients(context);
        var log = new ManagerLog(context.StateDirectory);
        await using var git = new GitStartup(context, path, log);
        var manager = new ApplicationManager(context, clients, log, git);
        await using var app = new RpcHost(context, manager.Authorize, async (call, cancellationToken) => JsonSerializer.SerializeToNode(await manager.DispatchAsync(call, cancellationToken))).Build();
        Console.WriteLine($"cpsmanager for application {context.AppId} of user {context.UserId} listening on https://{context.Listen}");
        using var stopping = new CancellationTokenSource();
        var watching = manager.WatchAgentsAsync(stopping.Token);
        await app.RunAsync();
        await stopping.CancelAsync();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }
    catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException)
    {
        Console.Error.WriteLine($"cpsmanager: error: {e.Message}");
        return 1;
    }
}

// Calls the running manager with the manager's own certificate; git relays the output to the pusher as "remote:".
static async Task<int> GitPushHookAsync(string path)
{
    try
    {
        var context = NodeContext.Load(path);
        using var clients = new NodeClients(context);
        var result = await clients.CallAsync(context.Listen.ToString(), Roles.Manager, "git_push_hook", new JsonObject(), CancellationToken.None);
        foreach (var message in result?["messages"]?.AsArray() ?? []) Console.WriteLine(message?.ToString());
        return 0;
    }
    catch (Exception e) when (e is InvalidDataException or IOException or RpcException or HttpRequestException or System.Security.Cryptography.CryptographicException)
    {
        Console.Error.WriteLine($"cpsmanager git-push-hook: the manager did not take the push: {e.Message}");
        return 1;
    }
}
