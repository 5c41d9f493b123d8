using System.Runtime.CompilerServices;
using ConPaaS.Platform.Services;
using ConPaaS.Platform.Rpc;
using System.Text.Json.Nodes;
using ConPaaS.Node;
using ConPaaS.Processes;

namespace ConPaaS.Agent.Services.Generic;

/// <summary>
/// The generic agent runs the user's five scripts from the active code version, with the documented guarantees:
/// init.sh first and once per code version; run.sh and cleanup.sh only when nothing runs; interrupt.sh only when
/// something runs, and a second interrupt kills every script with its children. Scripts get their parameters as
/// arguments, the agents file at /var/cache/cpsagent/agents.json (below the agent's root), and the environment
/// variables CPS_AGENT_ID, CPS_AGENT_IP, CPS_AGENT_ROLE, CPS_MASTER_IP and CPS_AGENTS_FILE. Their stdout goes to
/// agent.out, their stderr to agent.err.
/// </summary>
public sealed class GenericAgent(AgentFiles files, NodeContext context) : AgentService(files, context)
{
    [ModuleInitializer]
    internal static void Register() => AgentServices.Register(ServiceTypes.Generic, (files, context) => new GenericAgent(files, context));

    private const string NeverStarted = GenericScripts.NeverStarted;
    private const string Running = GenericScripts.Running;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _status = GenericScripts.All.ToDictionary(s => s, _ => NeverStarted);
    private readonly Dictionary<string, BackgroundProcess> _running = [];
    private readonly HashSet<string> _initialized = [];
    private string? _version;
    private JsonArray _agents = [];

    public override async Task<JsonNode?> DispatchAsync(RpcCall call, CancellationToken cancellationToken)
    {
        switch (call.Method)
        {
            case "init_agent":
                WriteAgents(call.Params["agents_info"] as JsonArray ?? throw new RpcException("missing 'agents_info'"));
                return true;
            case "update_code":
                return await UpdateCodeAsync(call, cancellationToken);
            case "execute_script":
                if (call.Params["agents_info"] is JsonArray agents) WriteAgents(agents);
                return Execute(call.String("command"), Parameters(call));
            case "mount_volume":
                return await VolumeMounts.MountAsync(call.String("device"), call.String("mount_point"), cancellationToken);
            case "unmount_volume":
                return await VolumeMounts.UnmountAsync(call.String("mount_point"), cancellationToken);
            case "get_script_status":
                lock (_gate) return new JsonObject { ["scripts"] = new JsonObject(_status.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))), ["version"] = _version };
            default:
                return null;
        }
    }

    private async Task<bool> UpdateCodeAsync(RpcCall call, CancellationToken cancellationToken)
    {
        var version = call.String("code_version");
        var upload = call.File("code");
        lock (_gate)
            if (_running.Count > 0) throw new RpcException($"scripts are running ({string.Join(", ", _running.Keys)}); interrupt them before enabling code");
        var incoming = Path.Combine(Path.GetDirectoryName(Files.CodeDirectory)!, "incoming-" + Guid.NewGuid().ToString("N"));
        var staged = Files.CodeDirectory + ".new";
        Directory.CreateDirectory(Path.GetDirectoryName(Files.CodeDirectory)!);
        try
        {
            await using (var output = File.Create(incoming))
                await upload.CopyToAsync(output, cancellationToken);
            if (Directory.Exists(staged)) Directory.Delete(staged, recursive: true);
            SafeArchive.Extract(incoming, staged);
        }
        finally
        {
            File.Delete(incoming);
        }
        lock (_gate)
        {
            if (_running.Count > 0)
            {
                Directory.Delete(staged, recursive: true);
                throw new RpcException("a script started while the code was being unpacked; interrupt it before enabling code");
            }
            if (Directory.Exists(Files.CodeDirectory)) Directory.Delete(Files.CodeDirectory, recursive: true);
            Directory.Move(staged, Files.CodeDirectory);
            _version = version;
            foreach (var script in GenericScripts.All) _status[script] = NeverStarted;
        }
        AgentLog.Write(Files, $"code version {version} is now active");
        return true;
    }

    private string Execute(string command, IReadOnlyList<string> parameters)
    {
        lock (_gate)
        {
            if (_version is null) throw new RpcException("no code version is active on this agent");
            switch (command)
            {
                case "init":
                    if (!_initialized.Add(_version)) return $"init.sh already ran for {_version}";
                    if (_running.Count > 0) throw new RpcException("scripts are running; init.sh waits for them");
                    return Start(GenericScripts.Init, parameters);
                case "notify":
                    return Start("notify.sh", parameters);
                case "run" or "cleanup":
                    if (_running.Count > 0) throw new RpcException($"cannot {command}: scripts are running ({string.Join(", ", _running.Keys)}); interrupt them first");
                    if (command == "run" && _status[GenericScripts.Init] == NeverStarted && File.Exists(ScriptPath(GenericScripts.Init)))
                        throw new RpcException("init.sh has not run for this code version");
                    return Start(command + ".sh", parameters);
                case "interrupt":
                    if (_running.Count == 0) throw new RpcException("nothing to interrupt: no script is running");
                    if (_running.ContainsKey("interrupt.sh"))
                    {
                        KillAll("a second interrupt");
                        return "killed";
                    }
                    return Start("interrupt.sh", parameters);
                default:
                    throw new RpcException($"unknown script command '{command}'; use init, notify, run, interrupt or cleanup");
            }
        }
    }

    /// <summary>Starts a script (under the lock). A missing script counts as one that succeeded at once.</summary>
    private string Start(string script, IReadOnlyList<string> parameters)
    {
        var path = ScriptPath(script);
        if (!File.Exists(path))
        {
            _status[script] = "STOPPED (return code 0)";
            if (script == "interrupt.sh") KillAll("interrupt.sh is missing");
            return $"{script} is missing; nothing to run";
        }
        var self = _agents.OfType<JsonObject>().FirstOrDefault(a => a["id"]?.ToString() == Context.Vmid);
        var master = _agents.OfType<JsonObject>().FirstOrDefault(a => a["role"]?.ToString() == "master");
        var process = UserScript.Start(Context, Files, path, parameters, Files.CodeDirectory, new Dictionary<string, string>
        {
            ["CPS_AGENT_ROLE"] = self?["role"]?.ToString() ?? "node",
            ["CPS_MASTER_IP"] = master?["ip"]?.ToString() ?? "",
            ["CPS_AGENTS_FILE"] = Files.AgentsFile,
        });
        _running[script] = process;
        _status[script] = Running;
        AgentLog.Write(Files, $"started {script} ({_version}) with {parameters.Count} parameters as pid {process.Id}");
        _ = process.Exited.ContinueWith(exited => Finished(script, process, exited.Result), TaskScheduler.Default);
        return $"{script} started";
    }

    private void Finished(string script, BackgroundProcess process, int code)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue(script, out var current) || current != process) return;
            _running.Remove(script);
            // A killed script (SIGKILL) reports 128 + 9, as a shell would.
            _status[script] = $"STOPPED (return code {(code < 0 ? 128 - code : code)})";
            // interrupt.sh done and the application still running: it is killed, as documented.
            if (script == "interrupt.sh" && _running.Count > 0) KillAll("interrupt.sh finished");
        }
        process.Dispose();
        AgentLog.Write(Files, $"{script} finished with {code}");
    }

    /// <summary>Kills every running script and its children (each is its own process group).</summary>
    private void KillAll(string why)
    {
        AgentLog.Write(Files, $"{why}: killing {string.Join(", ", _running.Keys)}");
        foreach (var process in _running.Values) _ = process.KillAsync();
    }

    private string ScriptPath(string script) => Path.Combine(Files.CodeDirectory, script);

    private void WriteAgents(JsonArray agents)
    {
        lock (_gate) _agents = (JsonArray)agents.DeepClone();
        ConPaaS.Common.AtomicFile.WriteAllText(Files.AgentsFile, agents.ToJsonString());
    }

    private static List<string> Parameters(RpcCall call) => call.Params["parameters"] switch
    {
        JsonArray list => list.Select(p => p?.ToString() ?? "").ToList(),
        JsonValue value => value.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(),
        _ => [],
    };
}
