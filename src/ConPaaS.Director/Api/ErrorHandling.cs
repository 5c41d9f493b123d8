namespace ConPaaS.Director.Api;

/// <summary>
/// Turns every failure into ConPaaS's <c>{"error": "..."}</c> body. The original sent those with HTTP 200; we keep
/// the body and send a real status (400, 401, 403, 404, 409, 413, 500). Unexpected exceptions are logged and
/// shown as "internal error", never as a stack trace.
/// </summary>
public static class ErrorHandling
{
    public static IApplicationBuilder UseConPaaSErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status404NotFound && !context.Response.HasStarted && context.Response.ContentLength is null)
                await Write(context, 404, $"no such call: {context.Request.Method} {context.Request.Path}");
        }
        catch (ApiException e)
        {
            await Write(context, e.Status, e.Message);
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
