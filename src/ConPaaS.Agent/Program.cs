using ConPaaS.Platform.Rpc;
using ConPaaS.Agent;
using ConPaaS.Agent.Services;
using ConPaaS.Node;
using ConPaaS.Platform.Security;
using System.Text.Json.Nodes;

// cpsagent --config node.cfg: started by the director's cloud driver, never by hand.
if (args is not ["--config", var path])
{
    Console.Error.WriteLine("usage: cpsagent --config NODE.CFG (the director's cloud driver writes the file and starts the agent)");
    return 2;
}
try
{
    var context = NodeContext.Load(path);
    var files = new AgentFiles(context.Root);
    Directory.CreateDirectory(files.LogDirectory);
    var service = AgentServices.For(context, files);

    // The agents' rule: a manager, agent or frontend certificate of this very user and application.
    bool Authorize(CertificateIdentity caller) =>
        caller.Uid == context.UserId && caller.ApplicationId == context.AppId && caller.Role is Roles.Manager or Roles.Agent or Roles.Frontend;

    async Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        switch (call.Method)
        {
            case "check_process": return true;
            case "run_startup_script": return await StartupScript.RunAsync(context, files, call.String("script"), cancellationToken);
            case "get_log":
                return await files.ReadLogAsync(call.OptionalString("filename") ?? "agent.log", cancellationToken);
        }
        return await service.DispatchAsync(call, cancellationToken)
               ?? throw new RpcException($"a {context.ServiceType} agent has no method '{call.Method}'");
    }

    await using var app = new RpcHost(context, Authorize, DispatchAsync).Build();
    AgentLog.Write(files, $"cpsagent {context.Vmid} ({context.ServiceType}, service {context.ServiceId} of application {context.AppId}) listening on https://{context.Listen}");
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"cpsagent: error: {e.Message}");
    return 1;
}
