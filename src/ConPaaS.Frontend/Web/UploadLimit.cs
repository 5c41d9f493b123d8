namespace ConPaaS.Frontend.Web;

/// <summary>
/// Refuses a body over the configured limit before reading it, with a page saying how large it was and what the
/// limit is (Kestrel's own limit would only cut the connection). Browsers send Content-Length with every form.
/// </summary>
public sealed class UploadLimit(RequestDelegate next, FrontendSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is { } length && length > settings.MaxRequestBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(Page.Simple("Upload too large",
                $"The upload is {Megabytes(length)}; this frontend takes at most {Megabytes(settings.MaxUploadBytes)} (MAX_UPLOAD_MB in main.ini). Go back and choose a smaller file."));
            return;
        }
        await next(context);
    }

    public static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.#} MB";
}
