using Mentra.Generated;
using Mentra.Generated.Authentication;
using Mentra.Generated.Sample;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddMentraApp<CaptionsApp>();
// Several replicas behind a load balancer: sessions owned through Redis (Mentra__Redis=host:6379); one replica without.
if (builder.Configuration["Mentra:Redis"] is { Length: > 0 } redis)
{
    builder.Services.AddMentraRedis(redis);
}

// The phone's webview of the app, signed in by the cloud's credentials (see README, "The webview").
builder.Services.AddAuthentication(MentraAuthenticationDefaults.AuthenticationScheme).AddMentra();
builder.Services.AddAuthorization();

WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapMentraWebhooks();   // POST /webhook, GET /health, POST /photo-upload, POST /settings, POST /tool
app.MapMentraAuth();       // GET /mentra-auth, GET /api/mentra/auth/init
app.MapGet("/webview", Webview.WriteAsync).RequireAuthorization();
app.Run();
