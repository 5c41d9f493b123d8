using System.Net;
using ConPaaS.Processes;
using ConPaaS.Testing;

namespace ConPaaS.Director.Tests;

/// <summary>The local driver through the conformance cases every driver passes (the libvirt driver runs them inside
/// the booted Nutshell, NutshellTest).</summary>
public class DriverConformanceTests
{
    [Fact]
    public async Task The_local_driver_passes_the_conformance_cases()
    {
        await using var sandbox = await Sandbox.StartAsync();
        await sandbox.CpsToolsOkAsync("user", "get_certificate");
        await new LocalConformance(sandbox).RunAsync("conformance");
    }

    private sealed class LocalConformance(Sandbox sandbox) : DriverConformance
    {
        protected override Task<CommandResult> CpsToolsAsync(params string[] arguments) => sandbox.CpsToolsAsync(arguments);

        protected override Task KillNodeAsync(string vmid) =>
            sandbox.KillNode(vmid) > 0 ? Task.CompletedTask : throw new ConformanceException($"no process of {vmid} to kill");

        protected override Task<bool> IsNodeRunningAsync(string vmid) => Task.FromResult(sandbox.NodeProcesses(vmid).Count > 0);

        protected override Task<string> VolumeSeenByNodeAsync(string vmid, string name)
        {
            var file = Path.Combine(sandbox.Directory, "data", "nodes", vmid, "volumes", name);
            return Task.FromResult(File.Exists(file) ? HostTool.Run("blkid", "-o", "value", "-s", "TYPE", file) : "");
        }

        protected override async Task RestartDirectorAsync()
        {
            await sandbox.KillAsync();
            await sandbox.RestartAsync();
        }

        protected override bool InPool(string address)
        {
            var network = IPNetwork.Parse(sandbox.Subnet);
            return network.Contains(IPAddress.Parse(address)) && address != network.BaseAddress.ToString();
        }

        protected override bool NodesOutliveDirector => false;
    }
}
