using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>A real Kestrel server on a free loopback port, running an app class, with its logs captured.</summary>
internal sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, Uri address, LogSink logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<KestrelHost> StartAsync<TApp>(Action<MentraOptions>? configure = null, string environment = "Production", Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
        where TApp : IMentraApp
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.Services.AddMentraApp<TApp>(options =>
        {
            options.PackageName = "org.example.tests";
            configure?.Invoke(options);
        });
        services?.Invoke(builder.Services);
        WebApplication app = builder.Build();
        app.MapMentraWebhooks();
        map?.Invoke(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelHost(app, new Uri(address), logs);
    }

    /// <summary>Starts <see cref="HostingApp"/> with its <see cref="HostingProbe"/>.</summary>
    public static Task<KestrelHost> StartHostingAppAsync(Action<MentraOptions>? configure = null, string environment = "Production") =>
        StartAsync<HostingApp>(configure, environment, services => services.AddSingleton<HostingProbe>());

    /// <summary>What the hosting app's handlers saw.</summary>
    public HostingProbe Probe => Services.GetRequiredService<HostingProbe>();

    /// <summary>Posts <paramref name="json"/> as application/json.</summary>
    public Task<HttpResponseMessage> PostAsync(string json, string path = "/webhook") =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Captures log entries for assertions.</summary>
internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((logLevel, eventId.Id, category, formatter(state, exception), exception));
    }
}
