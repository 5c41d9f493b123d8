using System.CommandLine;
using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools generic: code versions, keys, scripts and their status.</summary>
public static class GenericCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Generic, Build);

    public static IEnumerable<Command> Build()
    {
        var archive = new Argument<FileInfo>("filename") { Description = "a tar, tar.gz, tar.bz2 or zip archive that expands in the current directory" };
        var description = new Option<string>("--description") { Description = "a note shown by list_codes", DefaultValueFactory = _ => "" };
        yield return ServiceCommands.ForService("upload_code", "upload a code version (it does not become active until enabled)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.UploadAsync(s, app, Sid(svc), "upload_code_version", new Dictionary<string, string> { ["description"] = s.Get(description) },
                "code", s.Get(archive).FullName, token);
            s.Output.Message($"Code version {Output.Cell(result?["codeVersionId"])} uploaded", result);
        }, archive, description);

        yield return ServiceCommands.ForService("list_codes", "list the code versions, the active one marked *", async (s, app, svc, token) =>
        {
            var codes = (await ManagerRpc.CallAsync(s, app, Sid(svc), "list_code_versions", new JsonObject(), token))?["codes"]?.AsArray() ?? [];
            s.Output.Table(["current", "codeVersionId", "filename", "description"], codes.OfType<JsonObject>().Select(c => (IReadOnlyList<string>)
                [c["current"]?.GetValue<bool>() == true ? "      *" : "", Output.Cell(c["codeVersionId"]), Output.Cell(c["filename"]), Output.Cell(c["description"])]), codes);
        });

        var version = new Argument<string>("code_version") { Description = "a code version id (see list_codes)" };
        yield return ServiceCommands.ForService("enable_code", "make a code version active: copied to every agent, then init.sh", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "enable_code", new JsonObject { ["codeVersionId"] = s.Get(version) }, token);
            s.Output.Message($"{s.Get(version)} enabled", result);
        }, version);

        var deleted = new Argument<string>("code_version") { Description = "a code version id (not the active one)" };
        yield return ServiceCommands.ForService("delete_code", "delete a code version", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "delete_code_version", new JsonObject { ["codeVersionId"] = s.Get(deleted) }, token);
            s.Output.Message($"{s.Get(deleted)} deleted", result);
        }, deleted);

        var download = new Option<string>("--version") { Description = "the code version to download", Required = true };
        yield return ServiceCommands.ForService("download_code", "download a code version into the current directory (under its original name)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "download_code_version", new JsonObject { ["codeVersionId"] = s.Get(download) }, token);
            var name = Path.GetFileName(Output.Cell(result?["filename"]));
            if (name.Length == 0 || name.StartsWith('.')) throw new CliException("the manager sent an unusable file name");
            await File.WriteAllBytesAsync(name, Convert.FromBase64String(Output.Cell(result?["content"])), token);
            s.Output.Message($"{name} downloaded", new JsonObject { ["filename"] = name });
        }, download);

        foreach (var command in new[] { "run", "interrupt", "cleanup" })
        {
            var parameters = new Option<string>("--parameters", "-p") { Description = "parameters for the script, separated by spaces", DefaultValueFactory = _ => "" };
            yield return ServiceCommands.ForService(command, $"execute {command}.sh on every agent", async (s, app, svc, token) =>
            {
                var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "execute_script", new JsonObject { ["command"] = command, ["parameters"] = s.Get(parameters) }, token);
                s.Output.Message($"{command}.sh started on {Output.Cell(result?["agents"])} agents", result);
            }, parameters);
        }

        yield return ServiceCommands.ForService("get_script_status", "show each agent's scripts: NEVER STARTED, RUNNING or STOPPED (return code N)", async (s, app, svc, token) =>
        {
            var agents = (await ManagerRpc.CallAsync(s, app, Sid(svc), "get_script_status", new JsonObject(), token))?["agents"]?.AsObject() ?? [];
            var lines = new List<string>();
            foreach (var (agent, scripts) in agents.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                lines.Add($"Agent {agent}:");
                lines.AddRange((scripts?.AsObject() ?? []).Select(kv => $"  {kv.Key,-13} {Output.Cell(kv.Value)}"));
            }
            s.Output.Message(string.Join("\n", lines), agents);
        });

        var volume = new Argument<string>("vol_name") { Description = "the volume's name (letters, digits, '-', '_', '.')" };
        var size = new Argument<long>("vol_size") { Description = "size in MB (rounded up to the cloud's unit)" };
        var agentId = new Argument<string>("agent_id") { Description = "the agent to attach it to (see list_nodes)" };
        yield return ServiceCommands.ForService("create_volume", "create a volume and attach it to an agent (only while no script runs)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "create_volume", new JsonObject { ["volumeName"] = s.Get(volume), ["volumeSize"] = s.Get(size), ["agentId"] = s.Get(agentId) }, token);
            s.Output.Message($"Volume {s.Get(volume)} ({Output.Cell(result?["volumeSize"])} MB) created and attached to {s.Get(agentId)}.", result);
        }, volume, size, agentId);

        yield return ServiceCommands.ForService("list_volumes", "list the service's volumes", async (s, app, svc, token) =>
        {
            var volumes = (await ManagerRpc.CallAsync(s, app, Sid(svc), "list_volumes", new JsonObject(), token))?["volumes"]?.AsArray() ?? [];
            s.Output.Table(["volume_name", "size_mb", "agent_id"], volumes.OfType<JsonObject>().Select(v => (IReadOnlyList<string>)
                [Output.Cell(v["volumeName"]), Output.Cell(v["volumeSize"]), Output.Cell(v["agentId"])]), volumes);
        });

        var deletedVolume = new Argument<string>("vol_name") { Description = "the volume to detach and delete (its data is lost)" };
        yield return ServiceCommands.ForService("delete_volume", "detach and delete a volume (only while no script runs)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "delete_volume", new JsonObject { ["volumeName"] = s.Get(deletedVolume) }, token);
            s.Output.Message($"Volume {s.Get(deletedVolume)} detached and deleted.", result);
        }, deletedVolume);

        var key = new Argument<FileInfo>("filename") { Description = "an SSH public key file" };
        yield return ServiceCommands.ForService("upload_key", "upload an SSH public key for the application's git repository", async (s, app, svc, token) =>
        {
            if (!s.Get(key).Exists) throw new CliException($"{s.Get(key).FullName}: no such file");
            var result = await ManagerRpc.CallAsync(s, app, Sid(svc), "upload_authorized_key", new JsonObject { ["key"] = await File.ReadAllTextAsync(s.Get(key).FullName, token) }, token);
            s.Output.Message($"{Output.Cell(result?["outcome"])}\nClone the application's repository with: git clone {Output.Cell(result?["cloneUrl"])}", result);
        }, key);

        yield return ServiceCommands.ForService("list_keys", "list the uploaded SSH public keys", async (s, app, svc, token) =>
        {
            var keys = (await ManagerRpc.CallAsync(s, app, Sid(svc), "list_authorized_keys", new JsonObject(), token))?["authorizedKeys"]?.AsArray() ?? [];
            s.Output.Message(string.Join("\n", keys.Select(Output.Cell)), keys);
        });
    }

    private static long Sid(JsonObject service) => service["sid"]!.GetValue<long>();
}
