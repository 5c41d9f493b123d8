using ConPaaS.Frontend.Pages;
using ConPaaS.Frontend.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace ConPaaS.Frontend.Web;

/// <summary>Every page but those marked <see cref="IAnonymousPage"/> needs a live session; without one, the login page (and back after it).</summary>
public sealed class LoginRequired(SessionStore sessions) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var session = sessions.Find(SessionCookie.Token(http.Request));
        if (context.HandlerInstance is ConPaaSPageModel page && session is not null)
        {
            page.Client = new UserClient(session, sessions.DirectorUrl);
            if (http.Request.Method == HttpMethods.Get) page.Credit = await page.Client.CreditAsync(http.RequestAborted);
        }
        if (session is null && context.HandlerInstance is not IAnonymousPage)
        {
            var back = http.Request.Method == HttpMethods.Get ? http.Request.Path + http.Request.QueryString : "/";
            context.Result = new RedirectToPageResult("/Login", new { returnUrl = back.ToString() });
            return;
        }
        await next();
    }
}

/// <summary>A page that anyone may open (login, registration, errors).</summary>
public interface IAnonymousPage;
