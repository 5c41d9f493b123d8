using System.CommandLine;
using ConPaaS.Director;
using ConPaaS.Director.Admin;

var config = new Option<string?>("--config") { Description = $"director.cfg to use (default: $DIRECTOR_CFG or {DirectorSettings.DefaultConfigPath})", Recursive = true };

var serve = new Command("serve", "run the director (the default)");
serve.SetAction((result, token) => Admin.Run(() => Admin.ServeAsync(Load(result), token)));

var username = new Option<string?>("--username") { Description = "the new user's name (asked when missing)" };
var email = new Option<string?>("--email") { Description = "e-mail address" };
var password = new Option<string?>("--password") { Description = "password (asked without echo when missing)" };
var credit = new Option<int?>("--credit") { Description = "initial credit (default MAX_CREDIT)" };
var addUser = new Command("adduser", "add a user (cpsadduser.py)") { username, email, password, credit };
addUser.SetAction((result, _) => Admin.Run(() => Task.FromResult(AddUser.Run(Load(result),
    result.GetValue(username), result.GetValue(email), result.GetValue(password), result.GetValue(credit)))));

var check = new Command("check", "look for misconfiguration: certificate/hostname mismatch, unreachable director or cloud, clock skew (cpscheck.py)");
check.SetAction((result, token) => Admin.Run(() => Check.RunAsync(Load(result), token)));

var directory = new Argument<DirectoryInfo>("directory") { Description = "where all state goes (configuration, database, certificates, nodes)" };
var port = new Option<int>("--port") { Description = "HTTPS port", DefaultValueFactory = _ => 5555 };
var subnet = new Option<string>("--subnet") { Description = "loopback network for the local driver's nodes", DefaultValueFactory = _ => "127.77.0.0/16" };
var frontendPort = new Option<int?>("--frontend-port") { Description = "also serve the web frontend (cpsfrontend) on https://127.0.0.1:PORT" };
var sandbox = new Command("sandbox", "run a self-contained director with all state in one directory, user 'test' (password 'password') made on first start")
    { directory, port, subnet, frontendPort };
sandbox.SetAction((result, token) => Admin.Run(() =>
    Sandbox.RunAsync(result.GetValue(directory)!.FullName, result.GetValue(port), result.GetValue(subnet)!, result.GetValue(frontendPort), token)));

var listen = new Option<string>("--listen") { Description = "where cpsfrontend serves (an https:// URL)", DefaultValueFactory = _ => "https://0.0.0.0:443" };
var output = new Option<string>("--output") { Description = "the frontend's configuration to write", DefaultValueFactory = _ => "/etc/cpsdirector/main.ini" };
var readFrom = new Option<string?>("--read-certificates-from") { Description = "where main.ini tells the frontend to find ca_cert.pem, frontend_cert.pem and frontend_key.pem (default CERT_DIR)" };
var frontend = new Command("frontend", "issue cpsfrontend's certificate from this deployment's CA and write its configuration (main.ini)") { listen, output, readFrom };
frontend.SetAction((result, _) => Admin.Run(() =>
{
    var at = Uri.TryCreate(result.GetValue(listen), UriKind.Absolute, out var url) ? url : throw new InvalidDataException($"--listen: '{result.GetValue(listen)}' is not a URL");
    Console.WriteLine(FrontendSetup.Write(Load(result), at, result.GetValue(output)!, result.GetValue(readFrom)));
    return Task.FromResult(0);
}));

var root = new RootCommand("cpsdirector: the ConPaaS director (users, credits, certificate authority, applications, clouds)")
    { config, serve, addUser, check, sandbox, frontend };
root.SetAction((result, token) => Admin.Run(() => Admin.ServeAsync(Load(result), token)));
return await root.Parse(args).InvokeAsync();

DirectorSettings Load(ParseResult result) => DirectorSettings.Load(DirectorSettings.ResolvePath(result.GetValue(config)));
