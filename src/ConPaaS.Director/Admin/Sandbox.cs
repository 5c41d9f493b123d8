using ConPaaS.Director.Data;

namespace ConPaaS.Director.Admin;

/// <summary>
/// cpsdirector sandbox DIR: the offline developer sandbox. Writes DIR/director.cfg (local driver, everything under
/// DIR; registration open only when run as root, where each application's nodes are confined), makes user test/password on first start, writes DIR/cps-tools.conf, says how to use
/// it, and serves in the foreground.
/// </summary>
public static class Sandbox
{
    public const string User = "test";
    public const string Password = "password";

    public static async Task<int> RunAsync(string directory, int port, string subnet, int? frontendPort, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var configPath = Path.Combine(directory, "director.cfg");
        File.WriteAllText(configPath, $"""
            # Written by 'cpsdirector sandbox' on every start; edit the command line, not this file.
            [conpaas]
            CONF_DIR = {directory}
            CERT_DIR = {Path.Combine(directory, "certs")}
            DEPLOYMENT_NAME = sandbox
            MAX_CREDIT = 50

            [iaas]
            DRIVER = local
            LOCAL_SUBNET = {subnet}

            [director]
            DATABASE_URI = sqlite:///{Path.Combine(directory, "director.db")}
            USERDATA_DIR = {Path.Combine(directory, "data")}
            DIRECTOR_URL = https://127.0.0.1:{port}
            OPEN_REGISTRATION = {(Cloud.NodeConfinement.Available ? "true" : "false")}

            """);
        var settings = DirectorSettings.Load(configPath);

        var database = new Database(settings.DatabasePath);
        database.Migrate();
        var users = new Users(database);
        if (users.FindByName(User) is null)
            users.Create(User, Password, "test@localhost", "Test", "User", "sandbox", settings.MaxCredit);

        var toolsConfig = Path.Combine(directory, "cps-tools.conf");
        File.WriteAllText(toolsConfig, $"[cps-tools]\ndirector_url = https://127.0.0.1:{port}\nusername = {User}\npassword = {Password}\n");

        Console.WriteLine($"""
            ConPaaS sandbox director: https://127.0.0.1:{port} (state in {directory}; Ctrl-C stops it and its nodes)
            User '{User}', password '{Password}'. Point cps-tools at it with either of:
              cps-tools --conf_file {toolsConfig} user get_certificate
              mkdir -p ~/.conpaas && cp {toolsConfig} ~/.conpaas/cps-tools.conf && cps-tools user get_certificate
            """);
        using var frontend = frontendPort is { } p ? StartFrontend(settings, directory, p) : null;
        return await Admin.ServeAsync(settings, cancellationToken);
    }

    /// <summary>cpsfrontend, published beside cpsdirector, on the sandbox's CA; it lives as long as the director.</summary>
    private static ConPaaS.Processes.BackgroundProcess StartFrontend(DirectorSettings settings, string directory, int port)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "cpsfrontend");
        if (!File.Exists(program)) throw new InvalidOperationException($"no {program}: publish the platform with ./build.sh --target Tools");
        var config = FrontendSetup.Write(settings, new Uri($"https://127.0.0.1:{port}"), Path.Combine(directory, "main.ini"));
        var log = Path.Combine(directory, "frontend.log");
        Console.WriteLine($"Web frontend: https://127.0.0.1:{port}/ (log in as '{User}', password '{Password}'; its log is {log})");
        return ConPaaS.Processes.BackgroundProcess.Start(new ConPaaS.Processes.Command(program, "--config", config).Contained(), log);
    }
}
