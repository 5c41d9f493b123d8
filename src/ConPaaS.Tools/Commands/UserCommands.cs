using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ConPaaS.Platform.Security;

namespace ConPaaS.Tools.Commands;

/// <summary>cps-tools user: create, list, get_certificate, get_config, get_credit.</summary>
public static class UserCommands
{
    public static Command Build()
    {
        var user = new Command("user", "users: accounts, certificates, credit");

        var username = new Argument<string>("username") { Description = "the new user's name" };
        var email = new Argument<string>("email") { Description = "the new user's e-mail address" };
        var password = new Argument<string?>("password") { Description = "the new user's password (asked when missing)", Arity = ArgumentArity.ZeroOrOne };
        var credit = new Option<int?>("--credit") { Description = "initial credit (the director caps it at MAX_CREDIT)" };
        var create = new Command("create", "create a user (when the director allows registration)") { username, email, password, credit };
        create.SetAction(Cli.Action(async (s, token) =>
        {
            var form = new Dictionary<string, string>
            {
                ["username"] = s.Get(username), ["email"] = s.Get(email), ["password"] = s.Result.GetValue(password) ?? Prompt.Secret("Password: "),
            };
            if (s.Result.GetValue(credit) is { } c) form["credit"] = c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var created = await s.Director.PostAsync("/new_user", form, token);
            s.Output.Message($"User '{created?["username"]}' created with id {created?["uid"]}.", created);
        }));
        user.Subcommands.Add(create);

        var list = new Command("list", "show the user the certificate belongs to");
        list.SetAction(Cli.Action(async (s, token) =>
        {
            var me = await s.Director.GetAsync("/user_config", token);
            s.Output.Table(["uid", "username", "email", "credit"],
                [[Output.Cell(me?["uid"]), Output.Cell(me?["username"]), Output.Cell(me?["email"]), Output.Cell(me?["credit"])]], new JsonArray(me?.DeepClone()));
        }));
        user.Subcommands.Add(list);

        var getCertificate = new Command("get_certificate", "fetch this user's certificate into ~/.conpaas/ (cert.pem, key.pem, ca_cert.pem)");
        getCertificate.SetAction(Cli.Action(async (s, token) =>
        {
            var config = s.Director.Config;
            var name = config.Username ?? throw new CliException("no username in the [cps-tools] configuration");
            var secret = config.Password ?? Prompt.Secret($"Password for '{name}': ");
            var zip = await s.Director.PostForBytesAsync("/getcerts", new Dictionary<string, string> { ["username"] = name, ["password"] = secret }, token);
            CertificateBundle bundle;
            try
            {
                bundle = CertificateBundle.Read(zip);
            }
            catch (InvalidDataException e)
            {
                throw new CliException($"the director sent a bad certs.zip: {e.Message}");
            }
            VerifyDirector(s.Director, bundle.CaPem);
            Directory.CreateDirectory(config.CertificateDirectory);
            File.WriteAllText(config.CaPath, bundle.CaPem);
            File.WriteAllText(config.CertificatePath, bundle.CertificatePem);
            CertificateAuthority.WritePrivate(config.KeyPath, bundle.KeyPem);
            s.Output.Message($"Certificate for user '{name}' saved in {config.CertificateDirectory}.",
                new JsonObject { ["username"] = name, ["directory"] = config.CertificateDirectory });
        }));
        user.Subcommands.Add(getCertificate);

        var getConfig = new Command("get_config", "show this user's account");
        getConfig.SetAction(Cli.Action(async (s, token) =>
        {
            var me = (await s.Director.GetAsync("/user_config", token))?.AsObject() ?? [];
            s.Output.Message(string.Join("\n", me.Select(kv => $"{kv.Key}: {Output.Cell(kv.Value)}")), me);
        }));
        user.Subcommands.Add(getConfig);

        user.Subcommands.Add(SimpleCommands.Showing("get_credit", "show this user's remaining credit (one credit is one node-hour)", "/user_credit"));
        return user;
    }

    /// <summary>
    /// First contact trusts the server it reached only if the CA it sent signed that server's certificate for
    /// director_url's host; otherwise nothing is saved.
    /// </summary>
    private static void VerifyDirector(DirectorClient director, string caPem)
    {
        var ca = X509Certificate2.CreateFromPem(caPem);
        var server = director.ServerCertificate ?? throw new CliException("the director presented no certificate");
        if (!CertificateAuthority.Validates(ca, server) || !server.MatchesHostname(director.Config.DirectorUrl.Host, allowWildcards: true, allowCommonName: false))
            throw new CliException($"the director's certificate is not from the CA it sent or does not name {director.Config.DirectorUrl.Host}; nothing saved");
    }
}

/// <summary>Asking for a secret without echoing it.</summary>
internal static class Prompt
{
    public static string Secret(string prompt)
    {
        if (Console.IsInputRedirected)
            throw new CliException("a password is needed: put 'password' in the [cps-tools] configuration or run interactively");
        Console.Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
