using System.Net;
using ConPaaS.Frontend.Sessions;
using ConPaaS.Frontend.Web;
using ConPaaS.Platform.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.FileProviders;

namespace ConPaaS.Frontend;

/// <summary>The web application: Razor Pages behind login, live states as JSON for the pages' one script, downloads.</summary>
public static class FrontendServer
{
    public static WebApplication Build(FrontendSettings settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        var certificate = TlsClient.LoadPem(settings.CertificatePath, settings.KeyPath);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
            var host = settings.Listen.Host is "0.0.0.0" or "*" ? IPAddress.Any : IPAddress.Parse(settings.Listen.Host.Trim('[', ']'));
            kestrel.Listen(host, settings.Listen.Port, listen => listen.UseHttps(certificate));
        });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddDataProtection();
        builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = new MemoryKeyRepository());
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-conpaas-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        builder.Services.Configure<CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = "__Host-conpaas-notice";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = settings.MaxRequestBytes);
        builder.Services.AddRazorPages(o => o.Conventions.ConfigureFilter(new AutoValidateAntiforgeryTokenAttribute()))
            .AddMvcOptions(o => o.Filters.Add<LoginRequired>());

        var staticFiles = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(staticFiles)) throw new InvalidDataException($"{staticFiles} is missing: the pages' script and style sheet are published there (./build.sh --target Tools)");
        var app = builder.Build();
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<UploadLimit>();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(staticFiles), RequestPath = "/static" });
        app.MapRazorPages();
        app.MapLiveApi();
        return app;
    }
}
