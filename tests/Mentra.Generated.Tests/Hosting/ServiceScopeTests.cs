using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>A singleton that records the scoped services the handler saw.</summary>
public sealed class Witness
{
    public ConcurrentQueue<PerWebhook> Seen { get; } = new();
}

/// <summary>One webhook's scoped service, disposed when the webhook's request ends.</summary>
public sealed class PerWebhook(Witness witness) : IDisposable
{
    public bool Disposed { get; private set; }

    public Witness Witness => witness;

    public void Dispose() => Disposed = true;
}

/// <summary>An app whose constructor takes a singleton and a scoped service.</summary>
[MentraApp]
public partial class ScopedServicesApp(Witness witness, PerWebhook perWebhook)
{
    [OnSession]
    public void Start() => witness.Seen.Enqueue(perWebhook);

    [OnStop]
    public static void Stop()
    {
    }
}

/// <summary>Through a real server: a scoped service is new for each webhook and disposed after it; singletons are shared.</summary>
public sealed class ServiceScopeTests
{
    [Fact]
    public async Task Scoped_services_are_one_per_webhook_and_disposed_after_it()
    {
        await using KestrelHost host = await KestrelHost.StartAsync<ScopedServicesApp>(services: services => services
            .AddSingleton<Witness>()
            .AddScoped<PerWebhook>());
        string session = """{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}""";

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(session)).StatusCode);

        PerWebhook[] seen = [.. host.Services.GetRequiredService<Witness>().Seen];
        Assert.Equal(2, seen.Length);
        Assert.NotSame(seen[0], seen[1]);
        Assert.All(seen, service => Assert.Same(host.Services.GetRequiredService<Witness>(), service.Witness)); // the singleton they share
        // The scope ends with the request, which may finish just after the client has read the answer.
        for (int i = 0; i < 100 && !seen.All(s => s.Disposed); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(seen.All(s => s.Disposed), "each scoped service is disposed when its webhook's request ends");
    }
}
