using Mentra.Generated;
using Mentra.Generated.Sample;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddMentraApp<CaptionsApp>();

WebApplication app = builder.Build();
app.MapMentraWebhooks();
app.Run();
