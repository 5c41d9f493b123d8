using ConPaaS.Frontend.Sessions;
using ConPaaS.Frontend.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ConPaaS.Frontend.Pages;

/// <summary>Logout (a POST with the anti-forgery token): the session and the certificate it held are dropped.</summary>
public sealed class LogoutModel(SessionStore sessions) : PageModel, IAnonymousPage
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost()
    {
        sessions.End(SessionCookie.Token(Request));
        SessionCookie.Clear(Response);
        return Redirect("/login");
    }
}
