namespace ConPaaS.Build;

internal static class RepositoryRoot
{
    /// <summary>The directory holding ConPaaS.sln: from the working directory upwards, then from the binary upwards.</summary>
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ConPaaS.sln"))) return directory.FullName;
            }
        }
        throw new BuildException("cannot find the repository root (the directory holding ConPaaS.sln)");
    }
}
