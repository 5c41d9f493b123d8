using ConPaaS.Frontend.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ConPaaS.Frontend.Pages;

/// <summary>Errors in words: a missing page, a refused request, or a failure whose details go to the log, never to the page.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel, IAnonymousPage
{
    public string Title { get; private set; } = "Something went wrong";
    public string Message { get; private set; } = "The frontend could not finish this request; the details are in its log. Try again, or go back.";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        (Title, Message) = status switch
        {
            404 => ("Not found", "There is no such page."),
            400 => ("Bad request", "The form could not be read, or it was sent from an old page (its anti-forgery token was refused). Reload the page and try again."),
            405 => ("Not allowed", "This address does not take that kind of request."),
            413 => ("Upload too large", "The upload is larger than this frontend takes."),
            _ => (Title, Message),
        };
    }
}
