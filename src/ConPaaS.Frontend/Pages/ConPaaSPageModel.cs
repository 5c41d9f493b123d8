using ConPaaS.Frontend.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ConPaaS.Frontend.Pages;

/// <summary>
/// What every logged-in page shares: the user's client, and actions that report their outcome in words on the page
/// the user comes back to (post, redirect, get: a reload never repeats an action).
/// </summary>
public abstract class ConPaaSPageModel : PageModel
{
    /// <summary>Set by <see cref="Web.LoginRequired"/> before a handler runs.</summary>
    public UserClient Client { get; set; } = null!;

    /// <summary>The user's credit, shown in the top-right corner of every page (and kept current by live.js).</summary>
    public string Credit { get; set; } = "";

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Problem { get; set; }

    /// <summary>A problem met while reading what the page shows (the page still renders, saying so).</summary>
    public string? LoadProblem { get; protected set; }

    /// <summary>Runs an action; its message or its failure is shown on the page it redirects to.</summary>
    protected async Task<IActionResult> ActAsync(Func<Task<string>> action, string? page = null, object? routeValues = null)
    {
        try
        {
            Notice = await action();
        }
        catch (FrontendException e)
        {
            Problem = e.Message;
        }
        return page is null ? RedirectToPage(routeValues) : RedirectToPage(page, routeValues);
    }

    /// <summary>Reads what the page shows; a failure becomes <see cref="LoadProblem"/>.</summary>
    protected async Task<T?> LoadAsync<T>(Func<Task<T>> load)
    {
        try
        {
            return await load();
        }
        catch (FrontendException e)
        {
            LoadProblem = e.Message;
            return default;
        }
    }

    protected static KeyValuePair<string, string> Field(string name, string value) => new(name, value);
}
