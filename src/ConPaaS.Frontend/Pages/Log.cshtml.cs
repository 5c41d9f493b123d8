using ConPaaS.Frontend.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace ConPaaS.Frontend.Pages;

/// <summary>The application manager's log, or one of an agent's logs (agent.log, agent.out, agent.err, or its servers').</summary>
public sealed class LogModel : ConPaaSPageModel
{
    [FromRoute] public long Aid { get; set; }
    [FromQuery] public long? Sid { get; set; }
    [FromQuery] public string? Agent { get; set; }
    [FromQuery(Name = "file")] public string? LogFile { get; set; }

    public string Title => Agent is null ? $"Manager log of application {Aid}" : $"{LogFile ?? "agent.log"} of agent {Agent}";
    public string Text { get; private set; } = "";

    public async Task OnGetAsync()
    {
        Text = await LoadAsync(async () =>
        {
            var application = await Client.ApplicationAsync(Aid, HttpContext.RequestAborted);
            var answer = Agent is null
                ? await Client.ManagerAsync(application, 0, "get_manager_log", null, HttpContext.RequestAborted)
                : await Client.ManagerAsync(application, Sid ?? 0, "get_agent_log",
                    new() { ["agent_id"] = Agent, ["filename"] = LogFile ?? "agent.log" }, HttpContext.RequestAborted);
            return UserClient.Text(answer);
        }) ?? "";
    }
}
