using System.IO.Compression;
using ConPaaS.Director.Data;
using ConPaaS.Platform.Security;

namespace ConPaaS.Director.Api;

/// <summary>Users: registration (when the deployment allows it), login, certificates, configuration and credit.</summary>
public static class UsersApi
{
    public static void MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/new_user", async (HttpContext context, Users users, DirectorSettings settings) =>
        {
            if (!OpenRegistration(settings))
                throw ApiException.Forbidden("registration is closed on this director; the administrator adds users with 'cpsdirector adduser'");
            var p = await Parameters.ReadAsync(context);
            var user = CreateUser(users, settings, p.Required("username"), p.Required("password"), p.Optional("email") ?? "",
                p.Optional("fname") ?? "", p.Optional("lname") ?? "", p.Optional("affiliation") ?? "", p.Integer("credit", settings.MaxCredit, 0, int.MaxValue));
            return Results.Json(user.Public);
        });

        app.MapPost("/login", async (HttpContext context, Users users) => Results.Json(Authenticate(users, await Parameters.ReadAsync(context)).Public));

        app.MapMethods("/getcerts", ["GET", "POST"], async (HttpContext context, Users users, DirectorCertificates certificates) =>
        {
            var user = Authenticate(users, await Parameters.ReadAsync(context));
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
            return Results.File(zip.ToArray(), "application/zip", "certs.zip");
        });

        app.MapGet("/user_config", (HttpContext context, Users users) =>
            Results.Json((users.Find(Caller.User(context).Uid) ?? throw ApiException.NotFound("user does not exist")).Public));

        app.MapGet("/user_credit", (HttpContext context, Users users) =>
            Results.Json((users.Find(Caller.User(context).Uid) ?? throw ApiException.NotFound("user does not exist")).Credit));
    }

    /// <summary>Registration is open only when [director] OPEN_REGISTRATION is true (the sandbox sets it).</summary>
    private static bool OpenRegistration(DirectorSettings settings) =>
        settings.File.Get("director", "OPEN_REGISTRATION")?.ToLowerInvariant() is "true" or "yes" or "1";

    /// <summary>The checks cpsdirector adduser and /new_user share.</summary>
    public static User CreateUser(Users users, DirectorSettings settings, string username, string password, string email,
        string fname, string lname, string affiliation, long credit)
    {
        if (username.Length is 0 or > 64 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@'))
            throw ApiException.BadRequest("'username' must be 1 to 64 letters, digits, '_', '-', '.' or '@'");
        if (password.Length < 8 || password.Length > 1024)
            throw ApiException.BadRequest("'password' must be 8 to 1024 characters");
        foreach (var (name, value) in new[] { ("email", email), ("fname", fname), ("lname", lname), ("affiliation", affiliation) })
            if (value.Length > 0) Parameters.CheckName(name, value);
        return users.Create(username, password, email, fname, lname, affiliation, Math.Min(credit, settings.MaxCredit));
    }

    private static User Authenticate(Users users, Parameters p) =>
        users.Authenticate(p.Required("username"), p.Required("password"))
        ?? throw ApiException.Unauthorized("invalid username or password");
}
