using System.Diagnostics;
using System.Runtime.InteropServices;
using ConPaaS.Build;
using ConPaaS.Builder;
using ConPaaS.Processes;

// The build host. ./build.sh installs host tools and then runs this; see README.md.
var root = RepositoryRoot.Find();
var graph = new TargetGraph(BuildTargets.All);

BuildOptions options;
try
{
    options = BuildOptions.Parse(args);
}
catch (BuildException e)
{
    Console.Error.WriteLine($"build: error: {e.Message}\nRun ./build.sh --help for the targets and options.");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BuildOptions.Usage(graph));
    return 0;
}

using var cancellation = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

try
{
    var plan = graph.PlanFor(options.Target);
    var missing = await HostTool.MissingAsync(plan.SelectMany(t => t.Tools), cancellation.Token);
    if (options.MissingTools)
    {
        foreach (var tool in missing) Console.WriteLine(tool.MissingLine);
        return 0;
    }
    if (options.DryRun)
    {
        Console.WriteLine($"plan for {plan[^1].Name} ({plan.Count} target{(plan.Count == 1 ? "" : "s")}):");
        for (var i = 0; i < plan.Count; i++) Console.WriteLine($"  {i + 1}. {plan[i].Name,-14} {plan[i].Description}");
        foreach (var tool in missing)
            Console.WriteLine($"  missing host tool: {tool.Name} (package {tool.Package}{(tool.MinimumVersion is null ? "" : $" {tool.MinimumVersion} or later")})");
        return 0;
    }
    if (missing.Count > 0)
        throw new BuildException($"missing host tools: {string.Join(", ", missing.Select(m => m.Name))}; " +
            $"install them with: apt-get install -y {string.Join(' ', missing.Select(m => m.AptPackage).Distinct())} (./build.sh does this when run as root)");

    var context = new BuildContext(root, cancellation.Token);
    var total = Stopwatch.StartNew();
    foreach (var target in plan)
    {
        cancellation.Token.ThrowIfCancellationRequested();
        Console.WriteLine($"==> {target.Name}: {target.Description}");
        var clock = Stopwatch.StartNew();
        await target.Run(context);
        Console.WriteLine($"<== {target.Name} done in {clock.Elapsed.TotalSeconds:0.0}s");
    }
    Console.WriteLine($"build {options.Target} succeeded in {total.Elapsed.TotalSeconds:0.0}s");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("build: cancelled; partial outputs were removed");
    return 130;
}
catch (Exception e) when (e is BuildException or ToolFailedException or IOException or InvalidDataException)
{
    Console.Error.WriteLine($"build: error: {e.Message}");
    return 1;
}

void Cancel(PosixSignalContext signal)
{
    signal.Cancel = true;
    Console.Error.WriteLine($"build: {signal.Signal} received, stopping");
    cancellation.Cancel();
}
