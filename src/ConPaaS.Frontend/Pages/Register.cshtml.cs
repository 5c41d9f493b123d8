using ConPaaS.Frontend.Sessions;
using ConPaaS.Frontend.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ConPaaS.Frontend.Pages;

/// <summary>Registration, as the director allows it (it answers in words when registration is closed).</summary>
public sealed class RegisterModel(SessionStore sessions) : PageModel, IAnonymousPage
{
    public string? Username { get; private set; }
    public string? Email { get; private set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? username, string? email, string? password)
    {
        (Username, Email) = (username, email);
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            Error = "Give a username, an e-mail address and a password.";
            return Page();
        }
        try
        {
            using var response = await sessions.PostAnonymousAsync("/new_user",
                [new("username", username.Trim()), new("email", email.Trim()), new("password", password)], HttpContext.RequestAborted);
            await DirectorCall.BodyAsync(response, HttpContext.RequestAborted);
        }
        catch (FrontendException e)
        {
            Error = e.Message;
            return Page();
        }
        return RedirectToPage("/Login", new { registered = username.Trim() });
    }
}
