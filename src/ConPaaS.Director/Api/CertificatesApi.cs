using ConPaaS.Director.Lifecycle;
using ConPaaS.Platform.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConPaaS.Director.Api;

/// <summary>
/// CSR signing for managers (ConPaaS's /ca/get_cert.php): a manager gets certificates for its agents, or a fresh
/// one for itself, always for its own user and application whatever the CSR's subject says.
/// </summary>
public static class CertificatesApi
{
    public static void MapCertificatesApi(this IEndpointRouteBuilder app) => app.MapPost("/ca/get_cert.php", SignAsync);

    public static async Task<ContentHttpResult> SignAsync(HttpContext context, DirectorCertificates certificates)
    {
        var manager = Caller.Manager(context);
        var p = await Parameters.ReadAsync(context);
        var role = p.Optional("role") ?? Roles.Agent;
        if (role is not (Roles.Agent or Roles.Manager))
            throw RefusedException.Invalid($"'role' must be '{Roles.Agent}' or '{Roles.Manager}', not '{Common.Text.Shorten(role)}'");
        var csr = p.Files.GetFile("csr") is { } file
            ? await new StreamReader(file.OpenReadStream()).ReadToEndAsync()
            : p.Required("csr");
        var signed = certificates.Authority.SignRequest(csr, new CertificateIdentity(manager.Uid, role, manager.ApplicationId, role));
        return TypedResults.Text(signed, "application/x-pem-file");
    }
}
