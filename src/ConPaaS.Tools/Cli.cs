using System.CommandLine;
using System.Text.Json.Nodes;

namespace ConPaaS.Tools;

/// <summary>The global options, and the one place a command's failure becomes <c>ERROR: ...</c> and exit 1.</summary>
public static class Cli
{
    public static readonly Option<string?> ConfFile = new("--conf_file") { Description = "configuration file to use instead of ~/.conpaas/cps-tools.conf", Recursive = true };
    public static readonly Option<bool> Debug = new("--debug", "-d") { Description = "print the requests and answers", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "print results as JSON, for scripts", Recursive = true };

    /// <summary>A command's action with a director client and output ready.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(Func<Session, CancellationToken, Task> body) => async (result, token) =>
    {
        try
        {
            var config = ToolsConfig.Load(result.GetValue(ConfFile));
            using var director = new DirectorClient(config, result.GetValue(Debug));
            await body(new Session(result, director, new Output(result.GetValue(Json))), token);
            return 0;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ERROR: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidDataException)
        {
            Console.Error.WriteLine($"ERROR: {e.Message}");
            return 1;
        }
    };
}

/// <summary>What a command works with: its parsed arguments, the director, the output.</summary>
public sealed record Session(ParseResult Result, DirectorClient Director, Output Output)
{
    public T Get<T>(Argument<T> argument) => Result.GetValue(argument)!;
    public T Get<T>(Option<T> option) => Result.GetValue(option)!;

    /// <summary>An application by id, or by name when the argument is not a number (ConPaaS's app_name_or_id).</summary>
    public async Task<JsonObject> ApplicationAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var applications = (await Director.GetAsync("/listapp", cancellationToken))?.AsArray() ?? [];
        var isId = long.TryParse(nameOrId, out var id);
        var matches = applications.OfType<JsonObject>()
            .Where(a => isId ? a["aid"]?.GetValue<long>() == id : Output.Cell(a["name"]) == nameOrId).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"no application {(isId ? "with id " : "named ")}'{nameOrId}'"),
            _ => throw new CliException($"{matches.Count} applications are named '{nameOrId}'; use the id"),
        };
    }

    /// <summary>A service of an application, by id or by name.</summary>
    public async Task<JsonObject> ServiceAsync(JsonObject application, string nameOrId, CancellationToken cancellationToken)
    {
        var services = (await Director.GetAsync($"/list/{application["aid"]}", cancellationToken))?.AsArray() ?? [];
        var isId = long.TryParse(nameOrId, out var id);
        var matches = services.OfType<JsonObject>().Select(s => s["service"]!.AsObject())
            .Where(s => isId ? s["sid"]?.GetValue<long>() == id : Output.Cell(s["name"]) == nameOrId).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"application {application["aid"]} has no service {(isId ? "with id " : "named ")}'{nameOrId}'"),
            _ => throw new CliException($"{matches.Count} services are named '{nameOrId}'; use the id"),
        };
    }
}
