using System.Security.Authentication;
using ConPaaS.Director.Api;
using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ConPaaS.Director;

/// <summary>The director web service: HTTPS with optional client certificates checked against our CA, and the API.</summary>
public sealed class DirectorServer
{
    public static WebApplication Build(DirectorSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(settings.Debug ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", settings.Debug ? LogLevel.Information : LogLevel.Warning);

        var database = new Database(settings.DatabasePath);
        database.Migrate();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<DirectorCertificates>();
        builder.Services.AddSingleton<Users>();
        builder.Services.AddSingleton<ServiceRecords>();
        builder.Services.AddSingleton<VolumeRecords>();
        builder.Services.AddSingleton<ICloudDriver, LocalDriver>();
        builder.Services.AddSingleton<Accounts>();
        builder.Services.AddSingleton<Nodes>();
        builder.Services.AddSingleton<ManagerClient>();
        builder.Services.AddSingleton<Applications>();
        builder.Services.AddSingleton<Lifecycle.Services>();
        builder.Services.AddSingleton<Volumes>();
        builder.Services.AddHostedService<CreditCharger>();
        builder.Services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = settings.MaxRequestBytes);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
            kestrel.Listen(settings.Listen, listen => listen.UseHttps(https =>
            {
                var certificates = listen.KestrelServerOptions.ApplicationServices.GetRequiredService<DirectorCertificates>();
                https.ServerCertificate = certificates.Server;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                // Optional at the TLS level because registration, login and the public lists need none; a
                // certificate that is offered must chain to our CA and be valid now, or the handshake fails.
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => certificates.Authority.Validates(certificate);
            }));
        });

        var app = builder.Build();
        app.UseConPaaSErrors();
        app.MapUsersApi();
        app.MapCertificatesApi();
        app.MapApplicationsApi();
        app.MapServicesApi();
        app.MapCloudsApi();
        app.MapManagerApi();
        app.MapVolumesApi();
        app.MapManifestApi();

        app.Services.GetRequiredService<Applications>().ForgetLostNodes();
        app.Lifetime.ApplicationStopping.Register(() =>
            app.Services.GetRequiredService<ICloudDriver>().DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }
}
