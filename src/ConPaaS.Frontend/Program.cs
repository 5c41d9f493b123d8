using System.CommandLine;
using ConPaaS.Frontend;

var config = new Option<string>("--config") { Description = "main.ini to use", DefaultValueFactory = _ => FrontendSettings.DefaultPath };
var root = new RootCommand("cpsfrontend: the ConPaaS web frontend") { config };
root.SetAction(async (result, token) =>
{
    FrontendSettings settings;
    try
    {
        settings = FrontendSettings.Load(result.GetValue(config)!);
        await using var app = FrontendServer.Build(settings);
        await app.RunAsync(token);
        return 0;
    }
    catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
    {
        Console.Error.WriteLine($"cpsfrontend: error: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
