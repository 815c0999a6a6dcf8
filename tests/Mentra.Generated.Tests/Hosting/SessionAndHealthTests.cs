using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>Session tracking, the health endpoint the cloud polls, and options validation.</summary>
public sealed class SessionAndHealthTests
{
    private static Task<KestrelHost> Start(Action<MentraOptions>? configure = null) =>
        KestrelHost.StartHostingAppAsync(configure);

    private static string Session(string sessionId, string userId = "alice@example.com") =>
        $$"""{"type":"session_request","sessionId":"{{sessionId}}","userId":"{{userId}}","timestamp":"2026-06-27T21:54:26.123Z","websocketUrl":"wss://cloud.mentra.glass/ws/miniapp"}""";

    private static string Stop(string sessionId) =>
        $$"""{"type":"stop_request","sessionId":"{{sessionId}}","userId":"alice@example.com","timestamp":"2026-06-27T22:00:00.000Z","reason":"user_disabled"}""";

    private static async Task<string> Health(KestrelHost host)
    {
        HttpResponseMessage response = await host.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Health_counts_sessions_as_they_start_repeat_and_stop()
    {
        await using KestrelHost host = await Start();

        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":0}""", await Health(host));

        await host.PostAsync(Session("a@example.com-org.example.tests", "a@example.com"));
        await host.PostAsync(Session("b@example.com-org.example.tests", "b@example.com"));
        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":2}""", await Health(host));

        HttpResponseMessage duplicate = await host.PostAsync(Session("a@example.com-org.example.tests", "a@example.com"));
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":2}""", await Health(host));

        await host.PostAsync(Stop("a@example.com-org.example.tests"));
        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":1}""", await Health(host));

        await host.PostAsync(Stop("b@example.com-org.example.tests"));
        await host.PostAsync(Stop("never-started"));
        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":0}""", await Health(host));

        // Each change is made, and logged, once: two starts, one replacement, two stops (the unknown id's changes nothing).
        Assert.Equal(
            ["Session started (1 active)", "Session started (2 active)", "Session started again, replacing the earlier one with its id (2 active)", "Session stopped (1 active)", "Session stopped (0 active)"],
            host.Logs.Entries.Where(e => e.Category.StartsWith("Mentra.Generated", StringComparison.Ordinal) && e.EventId is 7 or 8 or 9).Select(e => e.Message));
    }

    [Fact]
    public async Task Duplicate_session_request_replaces_the_earlier_session()
    {
        await using KestrelHost host = await Start();
        var sessions = host.Services.GetRequiredService<IActiveSessions>();

        await host.PostAsync(Session("s-1"));
        ActiveSession first = sessions.Find("s-1")!;
        await Task.Delay(5);
        await host.PostAsync(Session("s-1").Replace("ws/miniapp", "ws/other"));

        ActiveSession second = Assert.Single(sessions.Snapshot());
        Assert.Equal("wss://cloud.mentra.glass/ws/other", second.WebSocketUrl);
        Assert.True(second.StartedAt >= first.StartedAt);
        Assert.Contains(host.Logs.Entries, e => e.EventId == 8);
    }

    [Fact]
    public async Task A_refused_or_failed_session_is_not_counted()
    {
        await using KestrelHost host = await Start();

        await host.PostAsync(Session("refuse"));
        await host.PostAsync(Session("throw"));

        Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":0}""", await Health(host));
    }

    [Fact]
    public async Task Session_recovery_counts_the_session()
    {
        await using KestrelHost host = await Start();

        await host.PostAsync(Payload("docs/session_recovery.json"));

        Assert.Equal("session-123456", Assert.Single(host.Services.GetRequiredService<IActiveSessions>().Snapshot()).SessionId);
    }

    [Fact]
    public async Task Health_endpoint_can_be_turned_off_or_moved()
    {
        await using (KestrelHost off = await Start(options => options.EnableHealthEndpoint = false))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await off.Client.GetAsync("/health")).StatusCode);
        }

        await using KestrelHost moved = await Start(options => options.HealthPath = "/status");
        Assert.Equal("healthy", JsonNode.Parse(await (await moved.Client.GetAsync("/status")).Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_package_name_stops_the_host_at_startup_with_a_clear_message()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => Start(options => options.PackageName = null));

        Assert.Contains("set the PACKAGE_NAME environment variable, or Mentra:PackageName in configuration", exception.Message);
    }

    [Fact]
    public async Task Invalid_options_are_all_reported()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => Start(options =>
        {
            options.WebhookPath = "webhook";
            options.MaxRequestBodySize = 0;
            options.AllowedWebSocketHosts.Add("https://evil.example/");
            options.SessionAckTimeout = TimeSpan.Zero;
            options.MaxSessionMessageBytes = 20 * 1024 * 1024;
            options.SessionKeepAliveInterval = TimeSpan.FromMilliseconds(10);
            options.CloudApiUrl = new Uri("ftp://api.example/");
        }));

        Assert.Equal(7, exception.Failures.Count());
        Assert.Contains("Mentra:SessionKeepAliveInterval is 00:00:00.0100000, but it must be between 1 s and 2 minutes (the newer SDK pings every 15 s; the cloud drops a socket idle for 120 s).", exception.Failures);
        Assert.Contains("Mentra:CloudApiUrl must be an absolute http(s) URL, such as https://api.mentra.glass.", exception.Failures);
        Assert.Contains("Mentra:WebhookPath is 'webhook', but it must start with '/'.", exception.Failures);
        Assert.Contains("Mentra:SessionAckTimeout is 00:00:00, but it must be more than zero and at most a minute (the cloud gives an app 5 s).", exception.Failures);
        Assert.Contains("Mentra:MaxSessionMessageBytes is 20971520, but it must be between 1024 and 16777216 bytes (the cloud's own limit).", exception.Failures);
    }

    [Fact]
    public void The_keepalive_and_the_cloud_api_are_read_from_configuration_and_checked()
    {
        var options = new MentraOptions();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mentra:SessionKeepAliveInterval"] = "00:00:15",
            ["Mentra:CloudApiUrl"] = "https://api.example.org/",
        }).Build();

        MentraOptionsBinder.Bind(options, configuration);

        Assert.Equal(TimeSpan.FromSeconds(15), options.SessionKeepAliveInterval);
        Assert.Equal(new Uri("https://api.example.org/"), options.CloudApiUrl);
        Assert.Null(new MentraOptions().SessionKeepAliveInterval);
        var wrong = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Mentra:CloudApiUrl"] = "api.example.org" }).Build();
        var error = Assert.Throws<OptionsValidationException>(() => MentraOptionsBinder.Bind(new MentraOptions(), wrong));
        Assert.Equal("Mentra:CloudApiUrl is 'api.example.org', but it must be an absolute http(s) URL such as https://api.mentra.glass.", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task An_app_with_session_handlers_needs_its_api_key_to_start()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => KestrelHost.StartAsync<Sessions.GlassesTestApp>(
            options => options.ApiKey = null,
            services: services => services.AddSingleton(new Sessions.SessionProbe())));

        Assert.Contains("The app connects sessions, but its API key is not set: set the MENTRAOS_API_KEY environment variable, or Mentra:ApiKey in configuration.", exception.Failures);
    }

    /// <summary>A host of <see cref="HostingApp"/> built by hand: <paramref name="map"/> maps what the app's Program.cs would.</summary>
    private static async Task<(WebApplication App, LogSink Logs)> StartBareAsync(Action<WebApplication> map)
    {
        var logs = new LogSink();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddMentraApp<HostingApp>(options => options.PackageName = "org.example.tests");
        builder.Services.AddSingleton<HostingProbe>();
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, logs);
    }

    [Fact]
    public async Task An_app_that_never_maps_the_endpoints_is_warned_at_start_and_its_health_check_is_unhealthy()
    {
        (WebApplication forgot, LogSink logs) = await StartBareAsync(_ => { }); // no MapMentraWebhooks()
        await using (forgot)
        {
            HealthReport report = await forgot.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.Equal(HealthStatus.Unhealthy, report.Entries["mentra"].Status);
            Assert.Contains(logs.Entries, e => e.EventId == 10 && e.Level == LogLevel.Warning && e.Message.Contains("Call app.MapMentraWebhooks()", StringComparison.Ordinal));
        }

        await using KestrelHost mapped = await Start();
        Assert.DoesNotContain(mapped.Logs.Entries, e => e.Category == "Mentra.Generated.EndpointCheck");
    }

    [Fact]
    public async Task The_sdk_state_is_a_health_check_that_an_apps_own_health_endpoint_reports()
    {
        (WebApplication app, LogSink logs) = await StartBareAsync(app =>
        {
            app.MapMentraWebhooks();
            app.MapHealthChecks("/healthz");
        });
        await using (app)
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            await client.PostAsync("/webhook", new StringContent(Session("a@example.com-org.example.tests", "a@example.com"), System.Text.Encoding.UTF8, "application/json"));

            HttpResponseMessage own = await client.GetAsync("/healthz");
            HealthReport report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.Equal((HttpStatusCode.OK, "Healthy"), (own.StatusCode, await own.Content.ReadAsStringAsync()));
            HealthReportEntry mentra = report.Entries["mentra"];
            Assert.Equal((HealthStatus.Healthy, "1 active session(s)", 1), (mentra.Status, mentra.Description, (int)mentra.Data["activeSessions"]));
            Assert.Equal("""{"status":"healthy","app":"org.example.tests","activeSessions":1}""", await client.GetStringAsync("/health")); // the cloud's poll, as it was
            Assert.DoesNotContain(logs.Entries, e => e.Category == "Mentra.Generated.EndpointCheck");
        }
    }

    [Fact]
    public async Task An_apps_own_health_checks_on_the_sdks_path_are_a_warning_at_start()
    {
        (WebApplication app, LogSink logs) = await StartBareAsync(app =>
        {
            app.MapMentraWebhooks();
            app.MapHealthChecks("/health");
        });
        await using (app)
        {
            Assert.Contains(logs.Entries, e => e.EventId == 11 && e.Level == LogLevel.Warning && e.Message.StartsWith("Another endpoint, 'Health checks', is mapped at /health", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("json:Mentra:PackageName=com.json", "com.json")]
    [InlineData("json:Mentra:PackageName=com.json env:PACKAGE_NAME=com.env", "com.env")] // the environment beats appsettings.json
    [InlineData("json:PACKAGE_NAME=com.json env:Mentra:PackageName=com.env", "com.env")]
    [InlineData("env:PACKAGE_NAME=com.env args:Mentra:PackageName=com.args", "com.args")] // the command line beats the environment
    [InlineData("env:Mentra:PackageName=com.section env:PACKAGE_NAME=com.alias", "com.section")] // one source: the section's spelling
    public void The_package_name_follows_the_order_of_configuration_sources_whichever_key_spells_it(string sources, string expected)
    {
        var builder = new Microsoft.Extensions.Configuration.ConfigurationBuilder();
        foreach (var source in sources.Split(' ').Select(s => s.Split(':', 2)).GroupBy(s => s[0]))
        {
            // One in-memory source per kind, in the order given: as appsettings.json, then the environment, then the command line.
            Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder, source.Select(s => s[1].Split('=')).Select(kv => new System.Collections.Generic.KeyValuePair<string, string?>(kv[0], kv[1])));
        }

        var options = new MentraOptions();
        MentraOptionsBinder.Bind(options, builder.Build());

        Assert.Equal(expected, options.PackageName);
    }
}
