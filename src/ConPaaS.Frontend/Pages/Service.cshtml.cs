using System.Globalization;
using System.Text.Json.Nodes;
using ConPaaS.Frontend.Sessions;
using ConPaaS.Platform.Services;
using Microsoft.AspNetCore.Mvc;

namespace ConPaaS.Frontend.Pages;

/// <summary>
/// A service: its nodes (role, address, agent id, cloud, logs), scaling, and what its type offers (helloworld's
/// greetings; code versions and git for types that take code, php's and java's link to the application; generic's
/// scripts and volumes; mysql's connection command, password reset, dumps and performance monitor).
/// </summary>
public sealed class ServiceModel : ConPaaSPageModel
{
    [FromRoute] public long Aid { get; set; }
    [FromRoute] public long Sid { get; set; }

    public ServiceType? Type { get; private set; }
    public string Name { get; private set; } = "";
    public string State { get; private set; } = "";
    public string? LastError { get; private set; }
    public IReadOnlyList<JsonObject> Nodes { get; private set; } = [];
    public string? Greeting { get; private set; }
    public IReadOnlyList<JsonObject> CodeVersions { get; private set; } = [];
    public IReadOnlyList<string> AuthorizedKeys { get; private set; } = [];
    public string? CloneCommand { get; private set; }
    public IReadOnlyList<(string Agent, string Script, string Status)> ScriptStatus { get; private set; } = [];
    public IReadOnlyList<JsonObject> Volumes { get; private set; } = [];

    /// <summary>Where the service serves its application (php: the proxy's address), once it runs.</summary>
    public string? ApplicationUrl { get; private set; }

    /// <summary>mysql: the command users connect with, once the service runs.</summary>
    public string? ConnectCommand { get; private set; }

    /// <summary>mysql: the performance monitor's numbers (get_stats), once the service runs.</summary>
    public JsonObject? Stats { get; private set; }

    /// <summary>Types with more than one role that can grow (php and java: proxy, web, backend; mysql: mysql, glb) get one
    /// number per role instead of a count.</summary>
    public bool ScaledByRole => Type?.Roles.Count(r => r.Max > 1) > 1;

    public static string Mebibytes(JsonNode? bytes) =>
        bytes is JsonValue value && value.TryGetValue<long>(out var n) ? (n >> 20).ToString(CultureInfo.InvariantCulture) : "";

    /// <summary>The role the next added node takes (the type's roles after its first).</summary>
    public string GrowingRole => Type?.Roles.Skip(1).FirstOrDefault()?.Name ?? Type?.FirstRole.Name ?? "";

    public async Task OnGetAsync()
    {
        Name = $"Service {Sid}";
        await LoadAsync<object?>(async () =>
        {
            var token = HttpContext.RequestAborted;
            var service = await Client.ServiceAsync(Aid, Sid, token);
            Name = UserClient.Text(service["name"]);
            State = UserClient.Text(service["state"]);
            Type = ServiceTypes.Find(UserClient.Text(service["type"]));
            var application = await Client.ApplicationAsync(Aid, token);
            if (UserClient.Text(application["status"]) != LifecycleState.Running) return null; // nothing more to ask: no manager
            var info = await Client.ManagerAsync(application, Sid, "get_service_info", null, token);
            State = UserClient.Text(info?["state"]);
            LastError = UserClient.Text(info?["error"]);
            ApplicationUrl = info?["url"] is { } url && Uri.TryCreate(UserClient.Text(url), UriKind.Absolute, out var served) && served.Scheme is "http" or "https" ? served.ToString() : null;
            Nodes = await NodesAsync(application, token);
            if (Type == ServiceTypes.Mysql && State == LifecycleState.Running)
            {
                ConnectCommand = info?["connect"] is { } connect ? UserClient.Text(connect) : null;
                Stats = await Client.ManagerAsync(application, Sid, "get_stats", null, token) as JsonObject;
            }
            if (Type == ServiceTypes.Helloworld && State == LifecycleState.Running)
                Greeting = UserClient.Text((await Client.ManagerAsync(application, Sid, "get_helloworld", null, token))?["helloworld"]);
            if (Type?.TakesCode == true)
            {
                CodeVersions = [.. ((await Client.ManagerAsync(application, Sid, "list_code_versions", null, token))?["codes"] as JsonArray ?? []).OfType<JsonObject>()];
                var keys = await Client.ManagerAsync(application, Sid, "list_authorized_keys", null, token);
                AuthorizedKeys = [.. (keys?["authorizedKeys"] as JsonArray ?? []).Select(UserClient.Text)];
                if (keys?["cloneUrl"] is { } cloneUrl) CloneCommand = $"git clone {UserClient.Text(cloneUrl)}";
            }
            if (Type == ServiceTypes.Generic)
            {
                var agents = (await Client.ManagerAsync(application, Sid, "get_script_status", null, token))?["agents"] as JsonObject ?? [];
                ScriptStatus = [.. agents.OrderBy(a => a.Key, StringComparer.Ordinal)
                    .SelectMany(a => (a.Value as JsonObject ?? []).Select(s => (a.Key, s.Key, UserClient.Text(s.Value))))];
                Volumes = [.. ((await Client.ManagerAsync(application, Sid, "list_volumes", null, token))?["volumes"] as JsonArray ?? []).OfType<JsonObject>()];
            }
            return null;
        });
    }

    /// <summary>Every node with its details, as cps-tools' list_nodes shows them.</summary>
    private async Task<IReadOnlyList<JsonObject>> NodesAsync(JsonObject application, CancellationToken token)
    {
        var roles = (await Client.ManagerAsync(application, Sid, "list_nodes", null, token)) as JsonObject ?? [];
        // An agent holding several roles (php's first) is listed under each: one row per agent.
        var ids = roles.SelectMany(r => (r.Value as JsonArray ?? []).Select(UserClient.Text)).Distinct().ToList();
        var nodes = await Task.WhenAll(ids.Select(id => Client.ManagerAsync(application, Sid, "get_node_info", new JsonObject { ["serviceNodeId"] = id }, token)));
        return [.. nodes.Select(n => n?["serviceNode"]).OfType<JsonObject>()];
    }

    public async Task<IActionResult> OnGetCodeAsync(string version)
    {
        try
        {
            var result = await Manager("download_code_version", new JsonObject { ["codeVersionId"] = version });
            var name = Path.GetFileName(UserClient.Text(result?["filename"]));
            if (name.Length == 0) throw new FrontendException("the manager sent a code version without a file name");
            return File(Convert.FromBase64String(UserClient.Text(result?["content"])), "application/octet-stream", name);
        }
        catch (Exception e) when (e is FrontendException or FormatException)
        {
            Problem = e is FormatException ? "the manager sent a code version that is not base64" : e.Message;
            return RedirectToPage();
        }
    }

    public Task<IActionResult> OnPostStartAsync() => Act("start_service", null, "Service is starting.");

    public Task<IActionResult> OnPostStopAsync() => Act("stop_service", null, "Service is stopping.");

    public Task<IActionResult> OnPostAddNodesAsync(int count) => Act("add_nodes", Scaling(count), "Adding nodes.");

    public Task<IActionResult> OnPostRemoveNodesAsync(int count) => Act("remove_nodes", Scaling(count), "Removing nodes.");

    /// <summary>add_nodes' and remove_nodes' parameters: a count, or (from the per-role form) so many of each role.</summary>
    private JsonObject Scaling(int count)
    {
        var byRole = new JsonObject();
        foreach (var (key, value) in Request.HasFormContentType ? Request.Form : new FormCollection([]))
            if (key.StartsWith("role-", StringComparison.Ordinal) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0)
                byRole[key["role-".Length..]] = n;
        return byRole.Count > 0 ? byRole : new JsonObject { ["count"] = count };
    }

    public Task<IActionResult> OnPostEnableCodeAsync(string version) => Act("enable_code", new JsonObject { ["codeVersionId"] = version }, $"Code version {version} is active.");

    public Task<IActionResult> OnPostDeleteCodeAsync(string version) => Act("delete_code_version", new JsonObject { ["codeVersionId"] = version }, $"Code version {version} deleted.");

    public Task<IActionResult> OnPostExecuteAsync(string command, string? parameters) => ActAsync(async () =>
    {
        if (command is not ("run" or "interrupt" or "cleanup")) throw new FrontendException($"there is no script '{command}'");
        var result = await Manager("execute_script", new JsonObject { ["command"] = command, ["parameters"] = parameters ?? "" });
        return $"{command}.sh started on {UserClient.Text(result?["agents"])} agents.";
    });

    public Task<IActionResult> OnPostCreateVolumeAsync(string? name, long size, string? agent) => Act("create_volume",
        new JsonObject { ["volumeName"] = name ?? "", ["volumeSize"] = size, ["agentId"] = agent ?? "" }, $"Volume {name} ({size} MB) created and attached to {agent}.");

    public Task<IActionResult> OnPostDeleteVolumeAsync(string volume) => Act("delete_volume", new JsonObject { ["volumeName"] = volume }, $"Volume {volume} detached and deleted.");

    public Task<IActionResult> OnPostUploadKeyAsync(string? key) => ActAsync(async () =>
    {
        if (string.IsNullOrWhiteSpace(key)) throw new FrontendException("paste an SSH public key");
        if (key.Length > FrontendSettings.MaxTextUploadBytes) throw new FrontendException("that is not an SSH public key: it is far too long");
        var result = await Manager("upload_authorized_key", new JsonObject { ["key"] = key.Trim() });
        return $"{UserClient.Text(result?["outcome"])}. Clone the application's repository with: git clone {UserClient.Text(result?["cloneUrl"])}";
    });

    public Task<IActionResult> OnPostUploadCodeAsync(IFormFile? code, string? description) => ActAsync(async () =>
    {
        if (code is null || code.Length == 0) throw new FrontendException("choose an archive to upload");
        await using var stream = code.OpenReadStream();
        var result = await Client.ManagerUploadAsync(await Client.ApplicationAsync(Aid, HttpContext.RequestAborted), Sid, "upload_code_version",
            new Dictionary<string, string> { ["description"] = description ?? "" }, "code", Path.GetFileName(code.FileName), stream, HttpContext.RequestAborted);
        return $"Code version {UserClient.Text(result?["codeVersionId"])} uploaded ({code.Length.ToString(CultureInfo.InvariantCulture)} bytes); set it active to deploy it.";
    });

    /// <summary>mysql: mysqldb's new password, typed twice.</summary>
    public Task<IActionResult> OnPostSetPasswordAsync(string? password, string? again) => ActAsync(async () =>
    {
        if (string.IsNullOrEmpty(password) || password != again) throw new FrontendException("the two passwords differ; type the same one twice");
        await Manager("set_password", new JsonObject { ["user"] = "mysqldb", ["password"] = password });
        return "The password of mysqldb is reset.";
    });

    /// <summary>mysql: a dump loaded into the cluster (larger ones are refused by the manager, which names the mysql command to use).</summary>
    public Task<IActionResult> OnPostLoadDumpAsync(IFormFile? dump) => ActAsync(async () =>
    {
        if (dump is null || dump.Length == 0) throw new FrontendException("choose a dump to upload");
        await using var stream = dump.OpenReadStream();
        await Client.ManagerUploadAsync(await Client.ApplicationAsync(Aid, HttpContext.RequestAborted), Sid, "load_dump",
            new Dictionary<string, string>(), "mysqldump_file", Path.GetFileName(dump.FileName), stream, HttpContext.RequestAborted);
        return $"The dump {Path.GetFileName(dump.FileName)} is loaded.";
    });

    /// <summary>mysql: a dump of the users' databases, downloaded.</summary>
    public async Task<IActionResult> OnGetDumpAsync()
    {
        try
        {
            var result = await Manager("sqldump", null);
            return File(Convert.FromBase64String(UserClient.Text(result?["content"])), "application/sql", $"service-{Sid.ToString(CultureInfo.InvariantCulture)}-dump.sql");
        }
        catch (Exception e) when (e is FrontendException or FormatException)
        {
            Problem = e is FormatException ? "the manager sent a dump that is not base64" : e.Message;
            return RedirectToPage();
        }
    }

    private async Task<JsonNode?> Manager(string method, JsonObject? parameters) =>
        await Client.ManagerAsync(await Client.ApplicationAsync(Aid, HttpContext.RequestAborted), Sid, method, parameters, HttpContext.RequestAborted);

    private Task<IActionResult> Act(string method, JsonObject? parameters, string done) => ActAsync(async () =>
    {
        await Manager(method, parameters);
        return done;
    });
}
