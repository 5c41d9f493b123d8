using ConPaaS.Director.Lifecycle;
using ConPaaS.Node;

namespace ConPaaS.Director.Api;

/// <summary>
/// Turns every failure into ConPaaS's <c>{"error": "..."}</c> body. The original sent those with HTTP 200; we keep
/// the body and send a real status. This is the one place a refusal becomes a status. Unexpected exceptions are
/// logged and shown as "internal error", never as a stack trace.
/// </summary>
public static class ErrorHandling
{
    public static int StatusOf(Refusal refusal) => refusal switch
    {
        Refusal.Invalid => StatusCodes.Status400BadRequest,
        Refusal.Unauthenticated => StatusCodes.Status401Unauthorized,
        Refusal.Forbidden => StatusCodes.Status403Forbidden,
        Refusal.NotFound => StatusCodes.Status404NotFound,
        Refusal.Conflict => StatusCodes.Status409Conflict,
        Refusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
        Refusal.UpstreamFailed => StatusCodes.Status502BadGateway,
        Refusal.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IApplicationBuilder UseConPaaSErrors(this IApplicationBuilder app) => app.UseErrorBodies().Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (RefusedException e)
        {
            await Write(context, StatusOf(e.Kind), e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await Write(context, e.StatusCode, e.StatusCode == 413 ? "request body too large" : e.Message);
        }
        catch (InvalidDataException e) when (!context.Response.HasStarted)
        {
            await Write(context, 400, e.Message);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<DirectorServer>>().LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await Write(context, 500, "internal error; see the director's log");
        }
    });

    private static Task Write(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.Clear();
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = message });
    }
}
