using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>The forged-webhook defence: no handler sees a session whose WebSocket URL cannot be trusted.</summary>
public sealed class ForgedUrlTests
{
    private static Task<KestrelHost> Start(string environment = "Production", Action<MentraOptions>? configure = null) =>
        KestrelHost.StartHostingAppAsync(configure, environment);

    private static string Session(string field, string url) =>
        $$"""{"type":"session_request","sessionId":"s","userId":"u","timestamp":"2026-06-27T21:54:26.123Z","{{field}}":"{{url}}"}""";

    private static async Task<(HttpStatusCode Status, WebhookResponse Body)> Post(KestrelHost host, string json)
    {
        HttpResponseMessage response = await host.PostAsync(json);
        return (response.StatusCode, JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), MentraJsonContext.Default.WebhookResponse)!);
    }

    [Theory]
    [InlineData("wss://evil.example/app-ws", "the host 'evil.example' is not on the allow-list")]
    [InlineData("ws://api.mentra.glass/app-ws", "plain ws is only accepted to a loopback host")]
    [InlineData("wss://evilmentra.glass/app-ws", "the host 'evilmentra.glass' is not on the allow-list")]
    [InlineData("wss://mentra.glass.evil.example/app-ws", "the host 'mentra.glass.evil.example' is not on the allow-list")]
    [InlineData("wss://api.mentra.glass@evil.example/app-ws", "it carries user information ('@')")]
    [InlineData("wss://user:pass@api.mentra.glass/app-ws", "it carries user information ('@')")]
    [InlineData("https://api.mentra.glass/app-ws", "the scheme 'https' is not wss")]
    [InlineData("/app-ws", "the scheme 'file' is not wss")]
    [InlineData("api.mentra.glass/app-ws", "it is not an absolute URL")]
    [InlineData("ws://localhost:8002/app-ws", "plain ws to loopback is not allowed here (set AllowInsecureLoopbackWebSocket)")]
    public async Task Untrusted_url_is_400_logged_and_no_handler_runs(string url, string reason)
    {
        await using KestrelHost host = await Start();

        (HttpStatusCode status, WebhookResponse body) = await Post(host, Session("websocketUrl", url));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(WebhookResponse.Error("Untrusted WebSocket URL: " + reason), body);
        Assert.Empty(host.Probe.Calls);
        Assert.Contains(host.Logs.Entries, e => e.EventId == 3 && e.Level == LogLevel.Warning && e.Message.Contains(reason));
        Assert.Equal(0, host.Services.GetRequiredService<IActiveSessions>().Count);
    }

    [Theory]
    [InlineData("wss://api.mentra.glass/app-ws")]
    [InlineData("wss://uscentralapi.mentra.glass/app-ws")]
    [InlineData("wss://CLOUD.Mentra.Glass./ws/miniapp")]
    [InlineData("wss://prod.augmentos.cloud/app-ws")]
    [InlineData("wss://api.mentra.glass:8443/app-ws")]
    public async Task Trusted_url_reaches_the_handler(string url)
    {
        await using KestrelHost host = await Start();

        (HttpStatusCode status, _) = await Post(host, Session("mentraOSWebsocketUrl", url));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["session s"], host.Probe.Calls);
    }

    [Fact]
    public async Task Every_url_field_is_checked_not_only_the_resolved_one()
    {
        await using KestrelHost host = await Start();
        const string json = """{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":"wss://api.mentra.glass/ws","augmentOSWebsocketUrl":"wss://evil.example/ws"}""";

        (HttpStatusCode status, _) = await Post(host, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Forged_session_recovery_is_rejected_too()
    {
        await using KestrelHost host = await Start();
        const string json = """{"type":"session_recovery","sessionId":"s","userId":"u","timestamp":"t","mentraOSWebsocketUrl":"wss://evil.example/ws"}""";

        (HttpStatusCode status, _) = await Post(host, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Empty(host.Probe.Calls);
    }

    [Theory]
    [InlineData("ws://localhost:8002/app-ws")]
    [InlineData("ws://127.0.0.1:8002/app-ws")]
    [InlineData("ws://[::1]:8002/app-ws")]
    public async Task Development_allows_plain_ws_to_loopback(string url)
    {
        await using KestrelHost host = await Start("Development");

        (HttpStatusCode status, _) = await Post(host, Session("websocketUrl", url));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Development_still_refuses_plain_ws_to_other_hosts()
    {
        await using KestrelHost host = await Start("Development");

        (HttpStatusCode status, _) = await Post(host, Session("websocketUrl", "ws://192.0.2.10/app-ws"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task The_allow_list_is_configurable()
    {
        await using KestrelHost host = await Start(configure: options =>
        {
            options.AllowedWebSocketHosts.Clear();
            options.AllowedWebSocketHosts.Add("*.example.org");
        });

        Assert.Equal(HttpStatusCode.OK, (await Post(host, Session("websocketUrl", "wss://cloud.example.org/ws"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(host, Session("websocketUrl", "wss://api.mentra.glass/ws"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(host, Session("websocketUrl", "wss://example.org/ws"))).Status);
    }
}
