using ConPaaS.Builder;
using ConPaaS.Processes;

namespace ConPaaS.Build;

/// <summary>Reads build/host-tools.txt, the one list of host tools per target that build.sh also reads.</summary>
internal static class HostTools
{
    public static IReadOnlyList<(string Tool, string Package)> For(string repositoryRoot, string target)
    {
        var path = Path.Combine(repositoryRoot, "build", "host-tools.txt");
        return File.ReadAllLines(path)
            .Select(line => line.Split('#')[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 3 && string.Equals(fields[0], target, StringComparison.OrdinalIgnoreCase))
            .Select(fields => (fields[1], fields[2]))
            .Distinct()
            .ToList();
    }

    public static IReadOnlyList<(string Tool, string Package)> Missing(string repositoryRoot, string target) =>
        For(repositoryRoot, target).Where(t => !ProcessRunner.IsOnPath(t.Tool)).ToList();
}
