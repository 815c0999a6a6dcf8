using System.Net;
using Mentra.Generated.Authentication;
using Mentra.Generated.Sessions;

namespace Mentra.Generated.Sample;

/// <summary>The app's page in the phone's webview: who is signed in, and what their glasses show now.</summary>
internal static class Webview
{
    /// <summary>
    /// Writes the page. A plain <see cref="RequestDelegate"/>, not a minimal-API handler: it needs none of their binding,
    /// and the app then starts without building one (1.2 MiB less resident at start, measured on the NativeAOT sample).
    /// </summary>
    public static Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(Page(context));
    }

    private static string Page(HttpContext context)
    {
        string user = WebUtility.HtmlEncode(context.User.GetMentraUserId() ?? string.Empty);
        AppSession? session = context.FindMentraSession();
        string glasses = session is null
            ? "Your glasses are not connected to Captions."
            : "Your glasses are connected; interim captions are " + (session.SettingBoolean("show_interim") == true ? "on" : "off") + ".";
        return $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Captions</title></head>
            <body>
            <h1>Captions</h1>
            <p id="user">Signed in as {user}.</p>
            <p id="glasses">{WebUtility.HtmlEncode(glasses)}</p>
            </body>
            </html>
            """;
    }
}
