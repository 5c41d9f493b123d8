using System.Text.Encodings.Web;

namespace ConPaaS.Frontend.Web;

/// <summary>A page written outside Razor (the upload refusal, answered before any page runs).</summary>
public static class Page
{
    public static string Simple(string title, string message) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{HtmlEncoder.Default.Encode(title)} - ConPaaS</title><link rel="stylesheet" href="/static/site.css"></head>
        <body><main><h1>{HtmlEncoder.Default.Encode(title)}</h1><p class="problem">{HtmlEncoder.Default.Encode(message)}</p><p><a href="/">Back to the dashboard</a></p></main></body></html>
        """;
}
