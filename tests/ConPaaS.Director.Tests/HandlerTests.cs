using System.Text.Json;
using System.Text.Json.Nodes;
using ConPaaS.Director.Api;
using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Security;
using ConPaaS.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace ConPaaS.Director.Tests;

/// <summary>
/// The API's handlers called as plain methods, over a real database and CA but no web server: what they answer,
/// what they refuse (and the status each refusal becomes), and what the sqlite3 tool then finds in the database.
/// </summary>
public sealed class HandlerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly DirectorSettings _settings;
    private readonly DirectorCertificates _certificates;
    private readonly Accounts _accounts;
    private readonly Applications _applications;
    private readonly Lifecycle.Services _services;

    public HandlerTests()
    {
        var config = _directory.File("director.cfg");
        File.WriteAllText(config, $"""
            [conpaas]
            CONF_DIR = {_directory.Path}
            CERT_DIR = {_directory.File("certs")}
            DEPLOYMENT_NAME = handlers

            [iaas]
            DRIVER = local

            [director]
            DATABASE_URI = sqlite:///{_directory.File("director.db")}
            USERDATA_DIR = {_directory.File("data")}
            DIRECTOR_URL = https://127.0.0.1:5555
            OPEN_REGISTRATION = true

            """);
        _settings = DirectorSettings.Load(config);
        var database = new Database(_settings.DatabasePath);
        database.Migrate();
        _certificates = new DirectorCertificates(_settings, NullLogger<DirectorCertificates>.Instance);
        _accounts = new Accounts(new Users(database), _settings);
        var managers = new ManagerClient(_certificates, _settings);
        var nodes = new Nodes(database, new LocalDriver(_settings, NullLogger<LocalDriver>.Instance), _certificates, _settings);
        var records = new ServiceRecords(database);
        _applications = new Applications(database, records, nodes, managers, _settings, NullLogger<Applications>.Instance);
        _services = new Lifecycle.Services(records, managers, _settings);
    }

    [Fact]
    public async Task Registration_answers_the_user_and_refuses_a_taken_name_as_a_conflict()
    {
        var answer = Json((await UsersApi.RegisterAsync(Form(null, ("username", "alice"), ("password", "long enough")), _accounts, _settings)).Value);
        Assert.Equal("alice", answer["username"]!.GetValue<string>());
        Assert.Null(answer["password"]);
        Assert.Equal($"{answer["uid"]}|alice", Sql("SELECT uid, username FROM users"));

        var refused = await Assert.ThrowsAsync<RefusedException>(() => UsersApi.RegisterAsync(Form(null, ("username", "alice"), ("password", "long enough")), _accounts, _settings));
        Assert.Equal(409, ErrorHandling.StatusOf(refused.Kind));
        Assert.Equal("user 'alice' already exists", refused.Message);
        var invalid = await Assert.ThrowsAsync<RefusedException>(() => UsersApi.RegisterAsync(Form(null, ("username", "bob"), ("password", "short")), _accounts, _settings));
        Assert.Equal(400, ErrorHandling.StatusOf(invalid.Kind));
    }

    [Fact]
    public async Task Applications_are_created_listed_and_hidden_from_other_users()
    {
        var alice = User("alice");
        var created = Json((await ApplicationsApi.CreateAsync(Form(alice, ("name", "  Shop  ")), _applications)).Value);
        Assert.Equal("Shop", created["name"]!.GetValue<string>());
        Assert.Equal("INIT", created["status"]!.GetValue<string>());
        var aid = created["aid"]!.GetValue<long>();
        Assert.Equal($"{aid}|Shop|INIT", Sql("SELECT aid, name, status FROM applications"));

        var listed = JsonNode.Parse(ApplicationsApi.List(Form(alice), _applications).FileContents.ToArray())!.AsArray();
        Assert.Equal(aid, Assert.Single(listed)!["aid"]!.GetValue<long>());

        // Another user's application is indistinguishable from none.
        var bob = User("bob");
        var hidden = await Assert.ThrowsAsync<RefusedException>(() => ApplicationsApi.RenameAsync(Form(bob, ("name", "mine")), aid.ToString(), _applications));
        Assert.Equal(404, ErrorHandling.StatusOf(hidden.Kind));
        Assert.Empty(JsonNode.Parse(ApplicationsApi.List(Form(bob), _applications).FileContents.ToArray())!.AsArray());
        Assert.Equal("Shop", Sql("SELECT name FROM applications"));
    }

    [Fact]
    public async Task Services_are_refused_for_unknown_types_and_stopped_applications()
    {
        var alice = User("alice");
        var aid = Json((await ApplicationsApi.CreateAsync(Form(alice, ("name", "app")), _applications)).Value)["aid"]!.ToString();
        var unknown = await Assert.ThrowsAsync<RefusedException>(() => ServicesApi.AddAsync(Form(alice, ("appid", aid)), "nosuch", _applications, _services));
        Assert.Equal((400, "unknown service type 'nosuch'; available: php, java, helloworld, xtreemfs, mysql, generic"), (ErrorHandling.StatusOf(unknown.Kind), unknown.Message));
        var stopped = await Assert.ThrowsAsync<RefusedException>(() => ServicesApi.AddAsync(Form(alice, ("appid", aid)), "generic", _applications, _services));
        Assert.Equal((409, $"application {aid} is INIT; start it before adding services"), (ErrorHandling.StatusOf(stopped.Kind), stopped.Message));
        Assert.Equal("0", Sql("SELECT COUNT(*) FROM services"));
    }

    /// <summary>A registered user's certificate, as a TLS handshake would have presented it.</summary>
    private System.Security.Cryptography.X509Certificates.X509Certificate2 User(string name)
    {
        var user = _accounts.Register(name, "long enough", "", "", "", "", 10);
        var (certificate, key) = _certificates.Authority.IssueWithKey(new CertificateIdentity(user.Uid, Roles.User, 0, name));
        return TlsClient.FromPem(certificate, key);
    }

    private static DefaultHttpContext Form(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, params (string Key, string Value)[] fields)
    {
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = certificate;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Form = new FormCollection(fields.ToDictionary(f => f.Key, f => new StringValues(f.Value)));
        return context;
    }

    private static JsonNode Json(object? value) => JsonSerializer.SerializeToNode(value)!;

    private string Sql(string query) => HostTool.Run("sqlite3", _settings.DatabasePath, query).Trim();

    public void Dispose() => _directory.Dispose();
}
