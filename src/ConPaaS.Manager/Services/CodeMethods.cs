using ConPaaS.Manager.Git;
using ConPaaS.Node;

namespace ConPaaS.Manager.Services;

/// <summary>
/// The methods every type that takes code answers alike: code versions (list, upload, download, delete) and the
/// application's git keys. Enabling a version is the type's own (what the agents do with it differs).
/// </summary>
public static class CodeMethods
{
    /// <summary>The answer to <paramref name="call"/> when it is one of these methods; null otherwise.</summary>
    public static async Task<object?> TryDispatchAsync(ICodeService service, ServiceContext context, RpcCall call, CancellationToken cancellationToken)
    {
        var codes = service.Codes;
        switch (call.Method)
        {
            case "list_code_versions":
                return new { codes = codes.All.Select(v => new { codeVersionId = v.CodeVersionId, filename = v.Filename, description = v.Description, time = v.Time, current = v.CodeVersionId == codes.Current }) };
            case "upload_code_version":
                var file = call.File("code");
                await using (var stream = file.OpenReadStream())
                {
                    var version = await codes.AddAsync(stream, file.FileName, call.OptionalString("description") ?? "", cancellationToken);
                    context.Log.Write($"service {service.Id}: code version {version.CodeVersionId} uploaded ({version.Filename})");
                    return new { codeVersionId = version.CodeVersionId };
                }
            case "download_code_version":
                var path = codes.PathOf(call.String("codeVersionId"));
                return new { filename = Path.GetFileName(path), content = Convert.ToBase64String(await File.ReadAllBytesAsync(path, cancellationToken)) };
            case "delete_code_version":
                codes.Delete(call.String("codeVersionId"));
                return true;
            // One repository per application, so the keys are the application's: uploaded once, good for every service.
            case "upload_authorized_key":
                var git = await context.Git();
                var added = git.Repository.AddKey(SshPublicKey.Parse(call.String("key")));
                context.Log.Write($"service {service.Id}: SSH key {(added ? "added" : "uploaded again")}");
                return new { outcome = added ? "key added" : "key already present", cloneUrl = git.CloneUrl };
            case "list_authorized_keys":
                var served = await context.Git();
                return new { authorizedKeys = served.Repository.Keys.Select(k => k.ToString()).ToArray(), cloneUrl = served.CloneUrl };
            default:
                return null;
        }
    }
}
