using ConPaaS.Director.Api;
using ConPaaS.Director.Cloud;
using ConPaaS.Director.Data;
using ConPaaS.Director.Lifecycle;
using ConPaaS.Node;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ConPaaS.Director;

/// <summary>The director web service: HTTPS with optional client certificates checked against our CA, and the API.</summary>
public sealed class DirectorServer
{
    public static WebApplication Build(DirectorSettings settings)
    {
        // Client certificates are optional at the TLS level because registration, login and the public lists need
        // none; a certificate that is offered must chain to our CA and be valid now, or the handshake fails.
        var builder = HttpsHost.Create(settings.Listen, services => services.GetRequiredService<DirectorCertificates>().Server,
            ClientCertificateMode.AllowCertificate, (services, certificate) => services.GetRequiredService<DirectorCertificates>().Authority.Validates(certificate), settings.MaxRequestBytes, settings.Debug);

        // Before anything is written there: the director's files are for the director alone.
        new NodeConfinement(settings).ProtectDirectorState();
        var database = new Database(settings.DatabasePath);
        database.Migrate();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<DirectorCertificates>();
        builder.Services.AddSingleton<Users>();
        builder.Services.AddSingleton<ServiceRecords>();
        builder.Services.AddSingleton<VolumeRecords>();
        builder.Services.AddSingleton(services => CloudDrivers.Create(settings, services.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<Accounts>();
        builder.Services.AddSingleton<Nodes>();
        builder.Services.AddSingleton<ManagerClient>();
        builder.Services.AddSingleton<Applications>();
        builder.Services.AddSingleton<Lifecycle.Services>();
        builder.Services.AddSingleton<Volumes>();
        builder.Services.AddHostedService<CreditCharger>();
        builder.Services.AddHostedService<ManagerWatcher>();
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

        app.Services.GetRequiredService<Applications>().AdoptOrForgetNodesAsync().GetAwaiter().GetResult();
        app.Lifetime.ApplicationStopping.Register(() =>
            app.Services.GetRequiredService<ICloudDriver>().DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }
}
