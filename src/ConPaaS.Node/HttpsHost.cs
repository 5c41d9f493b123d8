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
    public static WebApplicationBuilder Create(IPEndPoint listen, Func<IServiceProvider, X509Certificate2> serverCertificate,
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
            kestrel.Listen(listen, endpoint => endpoint.UseHttps(https =>
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

    /// <summary>
    /// Refusals the framework makes without a body (no such route, a wrong method) get ConPaaS's <c>{"error": ...}</c>
    /// saying what was wrong, like every other refusal. (Kestrel answers a malformed request line or oversized headers
    /// before any of this runs, so those keep its empty body.)
    /// </summary>
    public static IApplicationBuilder UseErrorBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var status = context.Response.StatusCode;
        if (status < 400 || context.Response.HasStarted || context.Response.ContentLength is not null) return;
        var message = status switch
        {
            StatusCodes.Status404NotFound => $"no such call: {context.Request.Method} {context.Request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Path} does not take {context.Request.Method}",
            _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant(),
        };
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new System.Text.Json.Nodes.JsonObject { ["error"] = message }.ToJsonString());
    });
}
