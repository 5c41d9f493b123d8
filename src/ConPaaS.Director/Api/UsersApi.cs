using System.IO.Compression;
using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>Users: registration (when the deployment allows it), login, certificates, configuration and credit.</summary>
public static class UsersApi
{
    public static void MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/new_user", RegisterAsync);
        app.MapPost("/login", LoginAsync);
        app.MapMethods("/getcerts", ["GET", "POST"], CertificatesAsync);
        app.MapGet("/user_config", Config);
        app.MapGet("/user_credit", Credit);
    }

    public static async Task<JsonHttpResult<object>> RegisterAsync(HttpContext context, Accounts accounts, DirectorSettings settings)
    {
        if (!accounts.RegistrationOpen)
            throw RefusedException.Forbidden("registration is closed on this director; the administrator adds users with 'cpsdirector adduser'");
        var p = await Parameters.ReadAsync(context);
        var user = accounts.Register(p.Required("username"), p.Required("password"), p.Optional("email") ?? "",
            p.Optional("fname") ?? "", p.Optional("lname") ?? "", p.Optional("affiliation") ?? "", p.Integer("credit", settings.MaxCredit, 0, int.MaxValue));
        return Answers.Json(user.Public);
    }

    public static async Task<JsonHttpResult<object>> LoginAsync(HttpContext context, Accounts accounts)
    {
        var p = await Parameters.ReadAsync(context);
        return Answers.Json(accounts.Authenticate(p.Required("username"), p.Required("password")).Public);
    }

    /// <summary>A fresh user certificate, its key and the CA's certificate, as certs.zip.</summary>
    public static async Task<FileContentHttpResult> CertificatesAsync(HttpContext context, Accounts accounts, DirectorCertificates certificates)
    {
        var p = await Parameters.ReadAsync(context);
        var user = accounts.Authenticate(p.Required("username"), p.Required("password"));
        var (certificate, key) = certificates.Authority.IssueWithKey(new CertificateIdentity(user.Uid, Roles.User, 0, user.Username));
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in new[] { ("cert.pem", certificate), ("key.pem", key), ("ca_cert.pem", certificates.Authority.CertificatePem) })
            {
                await using var entry = archive.CreateEntry(name).Open();
                await entry.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
            }
        }
        return TypedResults.File(zip.ToArray(), "application/zip", "certs.zip");
    }

    public static JsonHttpResult<object> Config(HttpContext context, Accounts accounts) => Answers.Json(accounts.Find(Caller.User(context).Uid).Public);

    public static JsonHttpResult<object> Credit(HttpContext context, Accounts accounts) => Answers.Json(accounts.Find(Caller.User(context).Uid).Credit);
}
