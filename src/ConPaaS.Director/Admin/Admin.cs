using ConPaaS.Director.Lifecycle;

namespace ConPaaS.Director.Admin;

/// <summary>What every cpsdirector command shares: errors as one line and exit 1, and running the server.</summary>
public static class Admin
{
    public static async Task<int> Run(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is InvalidDataException or RefusedException or IOException or UnauthorizedAccessException
                                       or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cpsdirector: error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    public static async Task<int> ServeAsync(DirectorSettings settings, CancellationToken cancellationToken)
    {
        await using var app = DirectorServer.Build(settings);
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
