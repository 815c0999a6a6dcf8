using Mentra.Generated;
using Mentra.Generated.Sample;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton<SessionCounter>();
builder.Services.AddMentraApp<SessionCounterApp>();

WebApplication app = builder.Build();
app.MapMentraWebhooks();
app.Run();
