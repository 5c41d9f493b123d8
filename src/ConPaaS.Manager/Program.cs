using ConPaaS.Manager;
using ConPaaS.Node;

// cpsmanager --config node.cfg: started by the director's cloud driver, never by hand.
if (args is not ["--config", var path])
{
    Console.Error.WriteLine("usage: cpsmanager --config NODE.CFG (the director's cloud driver writes the file and starts the manager)");
    return 2;
}
try
{
    var context = NodeContext.Load(path);
    using var clients = new NodeClients(context);
    var manager = new ApplicationManager(context, clients, new ManagerLog(context.StateDirectory));
    await using var app = new RpcHost(context, manager.Authorize, manager.DispatchAsync).Build();
    Console.WriteLine($"cpsmanager for application {context.AppId} of user {context.UserId} listening on https://{context.Listen}");
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"cpsmanager: error: {e.Message}");
    return 1;
}
