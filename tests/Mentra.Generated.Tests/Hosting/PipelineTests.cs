using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>Counts how often the app's authentication runs; it never signs anyone in.</summary>
internal sealed class CountingHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, CountingHandler.Counter counter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public sealed class Counter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        counter.Add();
        return Task.FromResult(AuthenticateResult.NoResult());
    }
}

/// <summary>
/// The cloud's endpoints in an app's pipeline: they run as soon as routing matches them, past the app's authentication
/// (the cloud sends no credential; an app's webview authentication would cost every webhook a scope and its handlers),
/// unless the app gives the webhook endpoint conventions of its own, which its middleware must then see.
/// </summary>
public sealed class PipelineTests
{
    private static async Task<(WebApplication App, HttpClient Client, CountingHandler.Counter Counter)> StartAsync(Action<IEndpointConventionBuilder> webhook)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMentraApp<HostingApp>(options => options.PackageName = "org.example.tests");
        builder.Services.AddSingleton<HostingProbe>();
        builder.Services.AddSingleton<CountingHandler.Counter>();
        builder.Services.AddAuthentication("Counting").AddScheme<AuthenticationSchemeOptions, CountingHandler>("Counting", null);
        builder.Services.AddAuthorization();
        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        webhook(app.MapMentraWebhooks());
        app.MapGet("/page", () => "a page of the app");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, new HttpClient { BaseAddress = address }, app.Services.GetRequiredService<CountingHandler.Counter>());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private const string Heartbeat = """{"type":"server_heartbeat","sessionId":"heartbeat-1","userId":"system","timestamp":"2026-12-03T10:00:00.000Z","registrationId":"reg-1"}""";

    [Fact]
    public async Task The_clouds_calls_skip_the_apps_authentication_and_its_own_pages_do_not()
    {
        (WebApplication app, HttpClient client, CountingHandler.Counter counter) = await StartAsync(_ => { });
        await using WebApplication owned = app;
        using HttpClient http = client;

        using HttpResponseMessage webhook = await http.PostAsync("/webhook", Json(Heartbeat));
        using HttpResponseMessage health = await http.GetAsync("/health");
        using HttpResponseMessage settings = await http.PostAsync("/settings", Json("""{"userIdForSettings":"alice@example.com","settings":[]}"""));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (webhook.StatusCode, health.StatusCode, settings.StatusCode));
        Assert.Equal(0, counter.Count);

        using HttpResponseMessage page = await http.GetAsync("/page");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(1, counter.Count);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_webhook_endpoint_the_app_gives_a_policy_goes_through_its_authentication_and_authorization()
    {
        (WebApplication app, HttpClient client, CountingHandler.Counter counter) = await StartAsync(webhook => webhook.RequireAuthorization());
        await using WebApplication owned = app;
        using HttpClient http = client;

        using HttpResponseMessage webhook = await http.PostAsync("/webhook", Json(Heartbeat));

        Assert.Equal(HttpStatusCode.Unauthorized, webhook.StatusCode);
        Assert.True(counter.Count >= 1);
        await app.StopAsync();
    }
}
