namespace ConPaaS.Testing;

public static class Repository
{
    /// <summary>The checkout the tests run from: the directory above them that holds ConPaaS.sln.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "ConPaaS.sln"))) return directory.FullName;
            throw new InvalidOperationException("the tests do not run inside the repository");
        }
    }
}
