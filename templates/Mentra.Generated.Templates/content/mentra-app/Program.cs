using Mentra.Generated;
using Mentra.Generated.Authentication;
using MentraApp1;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddMentraApp<GlassesApp>();  // binds PACKAGE_NAME, MENTRAOS_API_KEY (needed to connect sessions), PORT and the "Mentra" section
builder.Services.AddAuthentication(MentraAuthenticationDefaults.AuthenticationScheme).AddMentra(); // the phone's webview, signed in by the cloud
builder.Services.AddAuthorization();

WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapMentraWebhooks();                      // POST /webhook, GET /health, POST /photo-upload, POST /settings
app.MapMentraAuth();                          // GET /mentra-auth, GET /api/mentra/auth/init

// The app's webview (its URL in the developer console: https://<your server>/webview), for the signed-in user only.
app.MapGet("/webview", (HttpContext context) => Results.Content(
    $"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>MentraApp1</title></head>
    <body><h1>MentraApp1</h1><p>Signed in as {System.Net.WebUtility.HtmlEncode(context.User.GetMentraUserId())}; your glasses are {(context.FindMentraSession() is null ? "not connected" : "connected")}.</p></body>
    </html>
    """,
    "text/html; charset=utf-8")).RequireAuthorization();
app.Run();

/// <summary>The entry point, visible to the tests.</summary>
public partial class Program;
