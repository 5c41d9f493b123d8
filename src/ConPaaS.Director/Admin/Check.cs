using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConPaaS.Director.Admin;

/// <summary>
/// cpsdirector check (cpscheck.py): looks for the misconfigurations the troubleshooting guide lists and prints one
/// line per finding; exit 1 when there is a problem.
/// </summary>
public static class Check
{
    private static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(DirectorSettings settings, CancellationToken cancellationToken)
    {
        var problems = 0;
        void Ok(string message) => Console.WriteLine($"ok       {message}");
        void Warning(string message) => Console.WriteLine($"WARNING  {message}");
        void Problem(string message)
        {
            problems++;
            Console.WriteLine($"PROBLEM  {message}");
        }

        Ok($"configuration {settings.File.Source} loads");
        CertificateAuthority? authority = null;
        if (!File.Exists(Path.Combine(settings.CertDir, CertificateAuthority.CertificateFile)))
            Problem($"no CA in {settings.CertDir}: start the director once to make it");
        else
        {
            authority = CertificateAuthority.LoadOrCreate(settings.CertDir, settings.DeploymentName);
            Ok($"CA {authority.Certificate.Subject}, valid until {authority.Certificate.NotAfter:yyyy-MM-dd}");
            if (DateTime.Now < authority.Certificate.NotBefore)
                Problem($"clock skew: this machine's clock ({DateTime.UtcNow:u}) is before the CA was made ({authority.Certificate.NotBefore.ToUniversalTime():u})");
            var serverPath = Path.Combine(settings.CertDir, DirectorCertificates.ServerCertificateFile);
            var keyPath = Path.Combine(settings.CertDir, DirectorCertificates.ServerKeyFile);
            if (!File.Exists(serverPath) || !File.Exists(keyPath))
                Problem($"no director certificate in {settings.CertDir}: start the director once to make it");
            else
            {
                using var server = TlsClient.LoadPem(serverPath, keyPath);
                if (!DirectorCertificates.NamesHost(server, settings.DirectorUrl.Host))
                    Problem($"certificate/hostname mismatch: {serverPath} is for {server.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false)}, " +
                            $"but DIRECTOR_URL's host is {settings.DirectorUrl.Host}; restarting the director issues a matching one");
                else if (!authority.Validates(server))
                    Problem($"{serverPath} is not valid now or not from this CA");
                else
                    Ok($"director certificate names {settings.DirectorUrl.Host}");
            }
        }

        if (!File.Exists(settings.DatabasePath))
            Problem($"database {settings.DatabasePath} does not exist yet (start the director to make it)");
        else
        {
            try
            {
                using var connection = new Database(settings.DatabasePath).Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA user_version";
                var version = Convert.ToInt32(command.ExecuteScalar());
                if (version == Migrations.Latest) Ok($"database {settings.DatabasePath} at schema {version}");
                else Problem($"database {settings.DatabasePath} is at schema {version}, this director expects {Migrations.Latest}");
            }
            catch (SqliteException e)
            {
                Problem($"database {settings.DatabasePath}: {e.Message}");
            }
        }

        await using (var driver = CloudDrivers.Create(settings, NullLoggerFactory.Instance))
        {
            var driverProblems = driver.Check().ToList();
            driverProblems.ForEach(Problem);
            if (driverProblems.Count == 0) Ok($"cloud 'default' ({settings.Driver} driver) is ready");
            if (settings.Driver == "local")
            {
                // What a user's code can reach on the local driver (README, "Security").
                var confinement = new NodeConfinement(settings);
                if (NodeConfinement.Available)
                {
                    Ok($"local driver: application N's nodes run as uid {settings.LocalUidBase}+N, each in a mount namespace without the director's state ({string.Join(", ", confinement.DirectorDirectories)})");
                    foreach (var shared in confinement.SharedStateDirectories)
                        Problem($"the director keeps state directly in {shared}, a directory every node needs: nodes can see what it keeps there; give the director a directory of its own");
                }
                else
                    Warning($"local driver: the director does not run as root, so nodes run as {Environment.UserName}, the director's own user, and a user's code " +
                            $"can read the director's state: this is a sandbox for one trusted user{(settings.OpenRegistration ? "; OPEN_REGISTRATION is on, lets strangers in, and should be off" : "")}");
            }
        }

        if (authority is not null)
        {
            using var client = TlsClient.Create(authority.Certificate, null, checkHostName: true, timeout: TimeSpan.FromSeconds(10));
            try
            {
                var sent = DateTimeOffset.UtcNow;
                using var response = await client.GetAsync(new Uri(settings.DirectorUrl, "/version"), cancellationToken);
                var version = await response.Content.ReadFromJsonAsync<string>(cancellationToken);
                Ok($"director answers at {settings.DirectorUrl} (version {version})");
                if (response.Headers.Date is { } date && (date - sent).Duration() > MaxSkew + TimeSpan.FromSeconds(1))
                    Problem($"clock skew: the director's clock says {date:u}, this machine's {sent:u}");
            }
            catch (HttpRequestException e)
            {
                Problem($"director not reachable at {settings.DirectorUrl}: {e.Message}");
            }
        }

        Console.WriteLine(problems == 0 ? "no problems found" : $"{problems} problem(s) found");
        return problems == 0 ? 0 : 1;
    }
}
