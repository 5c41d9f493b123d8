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

    public static async Task<int> RunAsync(string directory, int port, string subnet, CancellationToken cancellationToken)
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
        return await Admin.ServeAsync(settings, cancellationToken);
    }
}
