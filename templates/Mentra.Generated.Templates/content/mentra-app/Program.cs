using Mentra.Generated;
using MentraApp1;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddMentraApp<GlassesApp>();  // binds PACKAGE_NAME, MENTRAOS_API_KEY (needed to connect sessions), PORT and the "Mentra" section

WebApplication app = builder.Build();
app.MapMentraWebhooks();                      // POST /webhook, GET /health, POST /photo-upload
app.Run();

/// <summary>The entry point, visible to the tests.</summary>
public partial class Program;
