using ConPaaS.Frontend.Sessions;
using ConPaaS.Frontend.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ConPaaS.Frontend.Pages;

/// <summary>Login with the fields the seeds name, username and password: the director checks them and sends the user's certificates.</summary>
public sealed class LoginModel(SessionStore sessions) : PageModel, IAnonymousPage
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public string? Registered { get; set; }
    public string? Username { get; private set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? username, string? password)
    {
        Username = username;
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            Error = "Give a username and a password.";
            return Page();
        }
        try
        {
            SessionCookie.Set(Response, await sessions.LoginAsync(username.Trim(), password, HttpContext.RequestAborted));
        }
        catch (FrontendException e)
        {
            Error = e.Message;
            return Page();
        }
        // Only a path of this site: an absolute or protocol-relative URL would send the user elsewhere.
        return LocalRedirect(ReturnUrl is { Length: > 0 } back && Url.IsLocalUrl(back) ? back : "/");
    }
}
