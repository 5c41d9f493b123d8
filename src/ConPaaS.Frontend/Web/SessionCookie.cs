using ConPaaS.Frontend.Sessions;

namespace ConPaaS.Frontend.Web;

/// <summary>The session's cookie: a random token, sent only over HTTPS, to this host, never to scripts or other sites.</summary>
public static class SessionCookie
{
    public const string Name = "__Host-conpaas-session";

    public static void Set(HttpResponse response, string token) => response.Cookies.Append(Name, token, new CookieOptions
    {
        Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true,
    });

    public static void Clear(HttpResponse response) => response.Cookies.Delete(Name, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });

    public static string? Token(HttpRequest request) => request.Cookies.TryGetValue(Name, out var token) ? token : null;

    /// <summary>The request's user, or null when no live session goes with it.</summary>
    public static UserSession? Session(HttpContext context) =>
        context.RequestServices.GetRequiredService<SessionStore>().Find(Token(context.Request));
}
