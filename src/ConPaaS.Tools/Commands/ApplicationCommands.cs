using System.CommandLine;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools application: create, list, rename, delete, start, stop, manifest, get_info.</summary>
public static class ApplicationCommands
{
    /// <summary>
    /// The director decides when a start has failed (its NODE_START_TIMEOUT, 900 s on the Pis' backend, and the
    /// image's install before it); this bound only ends a wait on a director that never decides. It was 10 minutes,
    /// and a Pi's first start under RpiClusterTest's double emulation took 585 s of them.
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(30);

    public static Command Build()
    {
        var application = new Command("application", "applications: each has one manager and any number of services");
        Argument<string> App() => new("app_name_or_id") { Description = "the application's id or name" };

        var name = new Argument<string>("name") { Description = "the application's name" };
        var create = new Command("create", "create an application") { name };
        create.SetAction(Cli.Action(async (s, token) =>
        {
            var created = await s.Director.PostAsync("/createapp", Form(("name", s.Get(name))), token);
            s.Output.Message($"Application '{created?["name"]}' created with id {created?["aid"]}.", created);
        }));
        application.Subcommands.Add(create);

        var list = new Command("list", "list your applications");
        list.SetAction(Cli.Action(async (s, token) =>
        {
            var rows = (await s.Director.GetAsync("/listapp", token))?.AsArray() ?? [];
            s.Output.Table(["aid", "name", "manager", "cloud", "status"],
                rows.OfType<JsonObject>().Select(a => (IReadOnlyList<string>)new[] { "aid", "name", "manager", "cloud", "status" }.Select(k => Output.Cell(a[k])).ToArray()), rows);
        }));
        application.Subcommands.Add(list);

        var renameApp = App();
        var newName = new Argument<string>("new_name") { Description = "the new name" };
        var rename = new Command("rename", "rename an application") { renameApp, newName };
        rename.SetAction(Cli.Action(async (s, token) =>
        {
            var app = await s.ApplicationAsync(s.Get(renameApp), token);
            var result = await s.Director.PostAsync($"/renameapp/{app["aid"]}", Form(("name", s.Get(newName))), token);
            s.Output.Message($"Application {app["aid"]} renamed to '{s.Get(newName)}'.", result);
        }));
        application.Subcommands.Add(rename);

        application.Subcommands.Add(Posting("delete", "delete an application, stopping it and its services first", "deleteapp", "deleted"));

        var startApp = App();
        var cloud = new Option<string?>("--cloud", "-c") { Description = "the cloud to start the manager in (see 'cloud list')" };
        var start = new Command("start", "start the application's manager and wait until it runs") { startApp, cloud };
        start.SetAction(Cli.Action(async (s, token) =>
        {
            var app = await s.ApplicationAsync(s.Get(startApp), token);
            var path = s.Result.GetValue(cloud) is { } c ? $"/startapp/{app["aid"]}/{Uri.EscapeDataString(c)}" : $"/startapp/{app["aid"]}";
            await s.Director.PostAsync(path, [], token);
            if (!s.Output.Json) Console.Write($"Application '{app["name"]}' with id {app["aid"]} is starting... ");
            var state = await WaitAsync(s, app["aid"]!.GetValue<long>(), token);
            if (!s.Output.Json) Console.WriteLine(" done.");
            else s.Output.Message("", state);
        }));
        application.Subcommands.Add(start);

        application.Subcommands.Add(Posting("stop", "stop the application: its services' nodes and its manager", "stopapp", "stopped"));

        var file = new Argument<FileInfo>("manifest") { Description = "the manifest file (JSON); local Archive and StartupScript paths are sent along" };
        var manifest = new Command("manifest", "create (and deploy) an application from a manifest") { file };
        manifest.SetAction(Cli.Action(async (s, token) =>
        {
            var (text, uploads) = await ManifestFiles.ReadAsync(s.Get(file), token);
            using var form = new MultipartFormDataContent { { new StringContent(text), "manifest" } };
            foreach (var (field, path) in uploads) form.Add(new StreamContent(File.OpenRead(path)), field, Path.GetFileName(path));
            var created = await s.Director.PostMultipartAsync("/upload_manifest", form, token);
            s.Output.Message($"Application '{created?["name"]}' created with id {created?["aid"]}.", created);
        }));
        application.Subcommands.Add(manifest);

        var logApp = App();
        var getLog = new Command("get_log", "print the application manager's log") { logApp };
        getLog.SetAction(Cli.Action(async (s, token) =>
        {
            var app = await s.ApplicationAsync(s.Get(logApp), token);
            var text = await ManagerRpc.CallAsync(s, app, 0, "get_manager_log", new JsonObject(), token);
            s.Output.Message(Output.Cell(text).TrimEnd('\n'), text);
        }));
        application.Subcommands.Add(getLog);

        var infoApp = App();
        var getInfo = new Command("get_info", "show the application and its manager's view of its services") { infoApp };
        getInfo.SetAction(Cli.Action(async (s, token) =>
        {
            var app = await s.ApplicationAsync(s.Get(infoApp), token);
            var info = app["status"]?.ToString() == LifecycleState.Running ? await ManagerRpc.CallAsync(s, app, 0, "get_app_info", new JsonObject(), token) : null;
            var data = new JsonObject { ["application"] = app.DeepClone(), ["manager"] = info?.DeepClone() };
            var lines = new List<string> { $"aid: {app["aid"]}", $"name: {app["name"]}", $"status: {app["status"]}", $"manager: {Output.Cell(app["manager"])}", $"cloud: {Output.Cell(app["cloud"])}" };
            if (info?["states"] is JsonObject states)
                lines.AddRange(states.Select(kv => $"service {kv.Key}: {Output.Cell(kv.Value)}"));
            s.Output.Message(string.Join("\n", lines), data);
        }));
        application.Subcommands.Add(getInfo);
        return application;
    }

    /// <summary>A command that posts to /ROUTE/AID and says the application has been DONE.</summary>
    private static Command Posting(string name, string description, string route, string done)
    {
        var target = new Argument<string>("app_name_or_id") { Description = "the application's id or name" };
        var command = new Command(name, description) { target };
        command.SetAction(Cli.Action(async (s, token) =>
        {
            var app = await s.ApplicationAsync(s.Get(target), token);
            var result = await s.Director.PostAsync($"/{route}/{app["aid"]}", [], token);
            s.Output.Message($"Application '{app["name"]}' with id {app["aid"]} has been {done}.", result);
        }));
        return command;
    }

    /// <summary>Polls the director until the application is RUNNING; ERROR or a stop fails the command.</summary>
    private static async Task<JsonObject> WaitAsync(Session s, long aid, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var delay = new Common.PollingDelay();
        while (true)
        {
            var app = await s.ApplicationAsync(aid.ToString(System.Globalization.CultureInfo.InvariantCulture), token);
            switch (Output.Cell(app["status"]))
            {
                case LifecycleState.Running: return app;
                case LifecycleState.Error or LifecycleState.Stopped:
                    if (!s.Output.Json) Console.WriteLine();
                    throw new CliException($"application {aid} failed to start (status {app["status"]}); see the director's log");
            }
            if (DateTime.UtcNow > deadline) throw new CliException($"application {aid} did not start within {StartTimeout.TotalMinutes} minutes");
            await delay.WaitAsync(token);
        }
    }

    public static Dictionary<string, string> Form(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);
}
