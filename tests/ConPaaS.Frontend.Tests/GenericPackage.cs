namespace ConPaaS.Frontend.Tests;

/// <summary>A generic code package (tar, the host's own tool): each script says how it was called, where and as what.</summary>
internal static class GenericPackage
{
    public static string Make(string directory)
    {
        var source = Path.Combine(directory, "package");
        Directory.CreateDirectory(source);
        foreach (var script in new[] { "init", "notify", "run", "interrupt", "cleanup" })
            File.WriteAllText(Path.Combine(source, script + ".sh"),
                $"echo \"Executing script {script}.sh\"\necho \"Parameters ($#): $@\"\necho \"My IP is $CPS_AGENT_IP\"\necho \"My role is $CPS_AGENT_ROLE\"\n");
        var archive = Path.Combine(directory, "browser-code.tar.gz");
        HostTool.Run("tar", "-C", source, "-czf", archive, ".");
        return archive;
    }
}
