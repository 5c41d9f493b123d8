using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConPaaS.Node;

/// <summary>
/// The web host the director, the managers and the agents share: Kestrel on one HTTPS endpoint (TLS 1.2 and 1.3),
/// client certificates checked against the deployment's CA during the handshake, request bodies capped, one-line
/// console logs, no Server header.
/// </summary>
public static class HttpsHost
{
    /// <param name="serverCertificate">The host's own certificate, given the built services (the director's come from them).</param>
    /// <param name="clientCertificates">Required for nodes; optional for the director, whose registration and login need none.</param>
    /// <param name="validateClient">A certificate that is offered must pass this (chain to the CA, valid now), or the handshake fails.</param>
    public static WebApplicationBuilder Create(IEnumerable<IPEndPoint> listen, Func<IServiceProvider, X509Certificate2> serverCertificate,
        ClientCertificateMode clientCertificates, Func<IServiceProvider, X509Certificate2, bool> validateClient, long maxBodyBytes, bool debug = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(debug ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", debug ? LogLevel.Information : LogLevel.Warning);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = maxBodyBytes);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxBodyBytes;
            // Kestrel refuses what passes its own limits with an empty body and no hook to add one (its maintainers:
            // "this category of errors is not customisable", aspnet/KestrelHttpServer#2947). So its limits sit at four
            // times ours and UseErrorBodies refuses what passes ours, with a body; only the truly huge get Kestrel's
            // bare answer, as does a request line Kestrel cannot parse at all (a NUL byte, garbage).
            kestrel.Limits.MaxRequestLineSize = 4 * MaxRequestTargetBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 4 * MaxHeaderBytes;
            foreach (var address in listen) kestrel.Listen(address, endpoint => endpoint.UseHttps(https =>
            {
                var services = endpoint.KestrelServerOptions.ApplicationServices;
                https.ServerCertificate = serverCertificate(services);
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateMode = clientCertificates;
                https.ClientCertificateValidation = (certificate, _, _) => validateClient(services, certificate);
            }));
        });
        return builder;
    }

    /// <summary>The longest request target (path and query) taken: Kestrel's own default line limit.</summary>
    public const int MaxRequestTargetBytes = 8 * 1024;

    /// <summary>The most header bytes (names and values) taken: Kestrel's own default.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>
    /// Refusals the framework makes without a body (no such route, a wrong method) and the size limits get ConPaaS's
    /// <c>{"error": ...}</c> saying what was wrong, like every other refusal. (A request line Kestrel cannot parse is
    /// answered before any of this runs, so that keeps Kestrel's empty 400.)
    /// </summary>
    public static IApplicationBuilder UseErrorBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
        var headerBytes = context.Request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => (v?.Length ?? 0) + 4));
        if (target.Length > MaxRequestTargetBytes)
        {
            await RefuseAsync(context, StatusCodes.Status414UriTooLong, $"the request target is {target.Length} bytes long; at most {MaxRequestTargetBytes} are taken");
            return;
        }
        if (headerBytes > MaxHeaderBytes)
        {
            await RefuseAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"the request's headers are {headerBytes} bytes long; at most {MaxHeaderBytes} are taken");
            return;
        }
        await next(context);
        var status = context.Response.StatusCode;
        if (status < 400 || context.Response.HasStarted || context.Response.ContentLength is not null) return;
        var message = status switch
        {
            StatusCodes.Status404NotFound => $"no such call: {context.Request.Method} {context.Request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Path} does not take {context.Request.Method}",
            _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant(),
        };
        await RefuseAsync(context, status, message);
    });

    private static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new System.Text.Json.Nodes.JsonObject { ["error"] = message }.ToJsonString());
    }
}
