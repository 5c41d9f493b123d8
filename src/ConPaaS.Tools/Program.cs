using System.CommandLine;
using ConPaaS.Tools;
using ConPaaS.Tools.Commands;

var root = new RootCommand("cps-tools: the ConPaaS command line. Objects first, then what to do: cps-tools application create NAME")
{
    Cli.ConfFile, Cli.Debug, Cli.Json,
    ApplicationCommands.Build(),
    ServiceCommands.Build(),
    UserCommands.Build(),
    SimpleCommands.Cloud(),
    SimpleCommands.Director(),
    CompletionCommand.Build(),
};
foreach (var type in ServiceCommands.TypeObjects()) root.Subcommands.Add(type);

// Installed also as cps-<object> (cps-application, cps-service, cps-generic...): the name chooses the object.
// .NET reports the resolved executable as argv[0]; the kernel keeps the name we were called by in /proc/self/cmdline.
var invokedAs = Path.GetFileName(File.ReadAllText("/proc/self/cmdline").Split('\0')[0]);
var arguments = invokedAs.StartsWith("cps-", StringComparison.Ordinal) && invokedAs != "cps-tools"
                && root.Subcommands.Any(c => c.Name == invokedAs["cps-".Length..])
    ? [invokedAs["cps-".Length..], .. args]
    : args;
return await root.Parse(arguments).InvokeAsync();
