using System.CommandLine;
using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools TYPE for every type that takes code (generic, php): code versions and the git keys.</summary>
public static class CodeCommands
{
    [ModuleInitializer]
    internal static void Register()
    {
        foreach (var type in ServiceTypes.All.Where(t => t.TakesCode)) ServiceCommands.Register(type, Build);
    }

    public static IEnumerable<Command> Build()
    {
        var archive = new Argument<FileInfo>("filename") { Description = "a tar, tar.gz, tar.bz2 or zip archive that expands in the current directory" };
        var description = new Option<string>("--description") { Description = "a note shown by list_codes", DefaultValueFactory = _ => "" };
        yield return ServiceCommands.ForService("upload_code", "upload a code version (it does not become active until enabled)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.UploadAsync(s, app, ServiceCommands.Sid(svc), "upload_code_version", new Dictionary<string, string> { ["description"] = s.Get(description) },
                "code", s.Get(archive).FullName, token);
            s.Output.Message($"Code version {Output.Cell(result?["codeVersionId"])} uploaded", result);
        }, archive, description);

        yield return ServiceCommands.ForService("list_codes", "list the code versions, the active one marked *", async (s, app, svc, token) =>
        {
            var codes = (await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "list_code_versions", new JsonObject(), token))?["codes"]?.AsArray() ?? [];
            s.Output.Table(["current", "codeVersionId", "filename", "description"], codes.OfType<JsonObject>().Select(c => (IReadOnlyList<string>)
                [c["current"]?.GetValue<bool>() == true ? "      *" : "", Output.Cell(c["codeVersionId"]), Output.Cell(c["filename"]), Output.Cell(c["description"])]), codes);
        });

        var version = new Argument<string>("code_version") { Description = "a code version id (see list_codes)" };
        yield return ServiceCommands.ForService("enable_code", "make a code version active: copied to every agent, then init.sh", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "enable_code", new JsonObject { ["codeVersionId"] = s.Get(version) }, token);
            s.Output.Message($"{s.Get(version)} enabled", result);
        }, version);

        var deleted = new Argument<string>("code_version") { Description = "a code version id (not the active one)" };
        yield return ServiceCommands.ForService("delete_code", "delete a code version", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "delete_code_version", new JsonObject { ["codeVersionId"] = s.Get(deleted) }, token);
            s.Output.Message($"{s.Get(deleted)} deleted", result);
        }, deleted);

        var download = new Option<string>("--version") { Description = "the code version to download", Required = true };
        yield return ServiceCommands.ForService("download_code", "download a code version into the current directory (under its original name)", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "download_code_version", new JsonObject { ["codeVersionId"] = s.Get(download) }, token);
            var name = Path.GetFileName(Output.Cell(result?["filename"]));
            if (name.Length == 0 || name.StartsWith('.')) throw new CliException("the manager sent an unusable file name");
            await File.WriteAllBytesAsync(name, Convert.FromBase64String(Output.Cell(result?["content"])), token);
            s.Output.Message($"{name} downloaded", new JsonObject { ["filename"] = name });
        }, download);

        var key = new Argument<FileInfo>("filename") { Description = "an SSH public key file" };
        yield return ServiceCommands.ForService("upload_key", "upload an SSH public key for the application's git repository", async (s, app, svc, token) =>
        {
            if (!s.Get(key).Exists) throw new CliException($"{s.Get(key).FullName}: no such file");
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "upload_authorized_key", new JsonObject { ["key"] = await File.ReadAllTextAsync(s.Get(key).FullName, token) }, token);
            s.Output.Message($"{Output.Cell(result?["outcome"])}\nClone the application's repository with: git clone {Output.Cell(result?["cloneUrl"])}", result);
        }, key);

        yield return ServiceCommands.ForService("list_keys", "list the uploaded SSH public keys", async (s, app, svc, token) =>
        {
            var keys = (await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "list_authorized_keys", new JsonObject(), token))?["authorizedKeys"]?.AsArray() ?? [];
            s.Output.Message(string.Join("\n", keys.Select(Output.Cell)), keys);
        });
    }
}
