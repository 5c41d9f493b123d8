using Microsoft.Playwright;

namespace ConPaaS.Frontend.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download does not work here), headless on a fresh
/// profile, against one sandbox's frontend. Disposing keeps a screenshot of the last page in
/// out/test-screenshots/NAME.png, so a failure can be seen as the user would have seen it.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _name;

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public Uri BaseUrl { get; }

    private BrowserSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page, Uri baseUrl, string name) =>
        (_playwright, _browser, Context, Page, BaseUrl, _name) = (playwright, browser, context, page, baseUrl, name);

    public static async Task<BrowserSession> StartAsync(Uri baseUrl, string name)
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: ./build.sh --target Test installs Debian's chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
        // The frontend's certificate is from the sandbox's own CA, which this fresh profile does not hold; curl checks it against that CA (SecurityTests).
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl.ToString(), IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(playwright, browser, context, page, baseUrl, name);
    }

    /// <summary>Logs in with the keyboard alone: the username field has the focus, Tab to the password, Enter.</summary>
    public async Task LoginAsync(string username, string password)
    {
        await Page.GotoAsync("/login");
        // The page focuses the username field itself (autofocus); typing before it has would lose the first keys.
        await Page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'username'");
        await Page.Keyboard.TypeAsync(username);
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync(password);
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(new Uri(BaseUrl, "/").ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var directory = Path.Combine(Repository.Root, "out", "test-screenshots");
            Directory.CreateDirectory(directory);
            await Page.ScreenshotAsync(new() { Path = Path.Combine(directory, _name + ".png"), FullPage = true });
        }
        catch (PlaywrightException)
        {
            // A page that is gone leaves no screenshot; the test's own failure says why.
        }
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
