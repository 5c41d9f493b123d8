using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Services;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools mysql (cps-mysql): nodes and glbs by role, mysqldb's password, dumps in and out, the
/// Performance Monitor's numbers.</summary>
public static class MysqlCommands
{
    [ModuleInitializer]
    internal static void Register() => ServiceCommands.Register(ServiceTypes.Mysql, Build);

    public static IEnumerable<Command> Build()
    {
        yield return ServiceCommands.ScalingByRole(ServiceTypes.Mysql, "add_nodes", "add database nodes (--mysql; they join the cluster by themselves) or load balancers (--glb)", "Adding");
        yield return ServiceCommands.ScalingByRole(ServiceTypes.Mysql, "remove_nodes", "remove database nodes (they leave the cluster cleanly) or load balancers; never the first node", "Removing");

        var password = new Argument<string?>("password") { Description = "the new password (read from standard input when left out)", Arity = ArgumentArity.ZeroOrOne };
        yield return ServiceCommands.ForService("set_password", "set the password of the database user mysqldb", async (s, app, svc, token) =>
        {
            var chosen = s.Get(password) ?? ReadPassword();
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "set_password", new JsonObject { ["user"] = "mysqldb", ["password"] = chosen }, token);
            s.Output.Message("Password updated successfully", result);
        }, password);

        var dumpFile = new Argument<FileInfo>("filename") { Description = "a dump written by mysqldump or mariadb-dump" };
        yield return ServiceCommands.ForService("load_dump", "load a database dump into the cluster", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.UploadAsync(s, app, ServiceCommands.Sid(svc), "load_dump", new Dictionary<string, string>(), "mysqldump_file", s.Get(dumpFile).FullName, token);
            s.Output.Message($"{s.Get(dumpFile).Name} loaded", result);
        }, dumpFile);

        var output = new Argument<string?>("output") { Description = "where to write the dump (standard output when left out)", Arity = ArgumentArity.ZeroOrOne };
        yield return ServiceCommands.ForService("dump", "download a dump of the users' databases", async (s, app, svc, token) =>
        {
            var result = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "sqldump", new JsonObject(), token);
            var dump = Convert.FromBase64String(Output.Cell(result?["content"]));
            if (s.Get(output) is { } path)
            {
                await File.WriteAllBytesAsync(path, dump, token);
                s.Output.Message($"dump written to {path}", new JsonObject { ["filename"] = path, ["bytes"] = dump.Length });
            }
            else
                await Console.OpenStandardOutput().WriteAsync(dump, token);
        }, output);

        yield return ServiceCommands.ForService("get_stats", "show the cluster's performance: queries per second, each node's load, memory, CPU, network, Galera's receive queue", async (s, app, svc, token) =>
        {
            var stats = await ManagerRpc.CallAsync(s, app, ServiceCommands.Sid(svc), "get_stats", new JsonObject(), token);
            var lines = new List<string>
            {
                $"queries per second: {Output.Cell(stats?["queriesPerSecond"])}",
                $"receive queue average: {Output.Cell(stats?["recvQueueAvg"])}",
                "node        address          state    q/s     load  cpu %  memory used     network B/s",
            };
            foreach (var node in stats?["nodes"] as JsonArray ?? [])
                lines.Add(string.Format(CultureInfo.InvariantCulture, "{0,-11} {1,-16} {2,-8} {3,-7} {4,-5} {5,-6} {6,-15} {7}",
                    Output.Cell(node?["id"]), Output.Cell(node?["ip"]), Output.Cell(node?["state"]), Output.Cell(node?["queriesPerSecond"]),
                    Output.Cell(node?["load1"]), Output.Cell(node?["cpuPercent"]), Megabytes(node?["memoryUsedBytes"]) + " / " + Megabytes(node?["memoryTotalBytes"]),
                    Output.Cell(node?["networkBytesPerSecond"])));
            s.Output.Message(string.Join('\n', lines), stats);
        });
    }

    private static string Megabytes(JsonNode? bytes) =>
        bytes is JsonValue value && value.TryGetValue<long>(out var n) ? $"{n >> 20} MiB" : "";

    /// <summary>Twice without echo at a terminal (as the original asked); one line from a pipe.</summary>
    private static string ReadPassword()
    {
        if (Console.IsInputRedirected) return Console.ReadLine() ?? throw new CliException("no password on standard input");
        var first = Prompt.Secret("New password: ");
        return first == Prompt.Secret("Retype new password: ") ? first : throw new CliException("the passwords do not match");
    }
}
