using System;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Tests.Sessions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>
/// What a sender without a credential can make the server hold or write, over a real Kestrel server on 127.0.0.1: every
/// such input is bounded and answered in JSON, and nothing it sends becomes an error in the log.
/// </summary>
public sealed class WebhookAbuseTests
{
    private static string SessionRequest(string sessionId, string userId = "alice@example.com") =>
        JsonSerializer.Serialize(new SessionWebhookRequest { SessionId = sessionId, UserId = userId, Timestamp = "2026-12-02T10:00:00.000Z", MentraOSWebSocketUrl = "wss://prod.mentra.glass/app-ws" }, MentraJsonContext.Default.WebhookRequest);

    [Fact]
    public async Task Forged_session_requests_without_sessions_are_held_up_to_the_limit_oldest_dropped_first()
    {
        await using KestrelHost host = await KestrelHost.StartAsync<HostingApp>(
            options => options.MaxTrackedSessions = 100,
            services: services => services.AddSingleton<HostingProbe>());

        for (int i = 0; i < 150; i++)
        {
            Assert.Equal(200, (int)(await host.PostAsync(SessionRequest("forged-" + i))).StatusCode);
        }

        IActiveSessions sessions = host.Services.GetRequiredService<IActiveSessions>();
        Assert.Equal(100, sessions.Count);
        Assert.Null(sessions.Find("forged-49"));
        Assert.NotNull(sessions.Find("forged-50"));
        Assert.NotNull(sessions.Find("forged-149"));
        using JsonDocument health = JsonDocument.Parse(await host.Client.GetStringAsync("/health"));
        Assert.Equal(100, health.RootElement.GetProperty("activeSessions").GetInt32());
    }

    [Fact]
    public async Task A_session_known_only_from_its_webhook_is_held_for_its_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using KestrelHost host = await KestrelHost.StartAsync<HostingApp>(
            options => options.TrackedSessionLifetime = TimeSpan.FromHours(1),
            services: services => services.AddSingleton<HostingProbe>().AddSingleton<TimeProvider>(time));
        IActiveSessions sessions = host.Services.GetRequiredService<IActiveSessions>();

        await host.PostAsync(SessionRequest("old"));
        time.Advance(TimeSpan.FromMinutes(40));
        await host.PostAsync(SessionRequest("new"));
        time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(["new"], sessions.Snapshot().Select(s => s.SessionId));
        Assert.Equal(1, sessions.Count);
    }

    [Theory]
    [InlineData("sessionId")]
    [InlineData("userId")]
    public async Task An_id_longer_than_the_schemas_limit_is_refused_naming_it(string field)
    {
        await using KestrelHost host = await KestrelHost.StartHostingAppAsync();
        string longId = new('a', 513);

        HttpResponseMessage answer = await host.PostAsync(field == "sessionId" ? SessionRequest(longId) : SessionRequest("s", longId));

        Assert.Equal(400, (int)answer.StatusCode);
        Assert.Contains($"The property '{field}' is longer than 512 characters (it has 513).", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(host.Probe.Calls);
        Assert.Equal(0, host.Services.GetRequiredService<IActiveSessions>().Count);
    }

    [Fact]
    public async Task A_stalled_body_is_answered_408_in_json_and_logged_as_a_warning_without_a_trace()
    {
        await using KestrelHost host = await KestrelHost.StartAsync<HostingApp>(
            services: services => services
                .AddSingleton<HostingProbe>()
                .Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(1.5))));
        using var client = new TcpClient();
        await client.ConnectAsync(host.Address.Host, host.Address.Port);
        NetworkStream stream = client.GetStream();

        // Content-Length says 100; 13 bytes come, then nothing.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":\"ses\""));
        string response = await ReadResponseAsync(stream, TimeSpan.FromSeconds(15));

        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.Contains("application/json", response, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"error\"", response, StringComparison.Ordinal);
        Assert.Contains("did not arrive in time", response, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.EventId == 2 && e.Exception is null && e.Message.Contains("408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_request_with_no_websocket_url_is_the_senders_mistake_when_sessions_connect()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        string json = """{"type":"session_request","sessionId":"alice@example.com-org.example.tests","userId":"alice@example.com","timestamp":"2026-12-02T10:00:00.000Z"}""";

        HttpResponseMessage answer = await harness.Host.PostAsync(json);

        Assert.Equal(400, (int)answer.StatusCode);
        Assert.Contains("names no WebSocket URL", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(harness.Probe.Calls);
        Assert.Equal(harness.Probe.Created, harness.Probe.Disposed);
    }

    [Fact]
    public async Task Forged_stops_are_remembered_up_to_the_limit_oldest_forgotten_first()
    {
        await using SessionHarness harness = await SessionHarness.StartAsync();
        int limit = Mentra.Generated.Sessions.AppSessionManager.MaxStopped;

        for (int i = 0; i < limit + 50; i++)
        {
            Assert.True(await harness.Manager.StopFromWebhookAsync("forged-" + i), "a first stop of an id runs its handler");
        }

        Assert.Equal(limit, harness.Manager.StoppedCount);
        Assert.False(await harness.Manager.StopFromWebhookAsync("forged-" + (limit + 49)), "a recent id is remembered: its handler does not run twice");
        Assert.True(await harness.Manager.StopFromWebhookAsync("forged-0"), "the oldest was forgotten to make room");
        Assert.Equal(limit, harness.Manager.StoppedCount);
    }

    [Fact]
    public async Task A_flood_of_bad_webhooks_logs_a_few_warnings()
    {
        await using KestrelHost host = await KestrelHost.StartHostingAppAsync();

        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(400, (int)(await host.PostAsync("{not json " + i)).StatusCode);
        }

        Assert.Equal(3, host.Logs.Entries.Count(e => e.EventId == 2 && e.Level == LogLevel.Warning));
    }

    /// <summary>Reads one HTTP response whose body has a Content-Length, or until the server closes.</summary>
    internal static async Task<string> ReadResponseAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var limit = new System.Threading.CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No whole response within " + timeout.TotalSeconds + " s; got: " + text);
            }
            catch (System.IO.IOException)
            {
                return text.ToString();
            }

            if (read == 0)
            {
                return text.ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            string all = text.ToString();
            int end = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 && System.Text.RegularExpressions.Regex.Match(all, "Content-Length: ([0-9]+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase) is { Success: true } length
                && all.Length - end - 4 >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            {
                return all;
            }
        }
    }
}
