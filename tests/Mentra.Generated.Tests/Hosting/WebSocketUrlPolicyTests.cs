using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Tests.Generator;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>The policy's verdicts, and that remembering recent ones never changes a verdict.</summary>
public sealed class WebSocketUrlPolicyTests
{
    private static WebSocketUrlPolicy Policy() => new(["cloud.mentra.glass", "*.mentra.glass"], allowInsecureLoopback: false);

    [Theory]
    [InlineData("wss://cloud.mentra.glass/app-ws", null)]
    [InlineData("wss://eu.mentra.glass/app-ws", null)]
    [InlineData("wss://evil.example/app-ws", "the host 'evil.example' is not on the allow-list")]
    [InlineData("wss://cloud.mentra.glass@evil.example/ws", "it carries user information ('@')")]
    [InlineData("ws://cloud.mentra.glass/app-ws", "plain ws is only accepted to a loopback host")]
    [InlineData("ws://localhost:8002/app-ws", "plain ws to loopback is not allowed here (set AllowInsecureLoopbackWebSocket)")]
    [InlineData("https://cloud.mentra.glass/app-ws", "the scheme 'https' is not wss")]
    [InlineData("app-ws", "it is not an absolute URL")]
    public void A_url_gets_the_same_verdict_the_first_time_and_every_time_after(string url, string? expected)
    {
        WebSocketUrlPolicy policy = Policy();

        Assert.Equal(expected, policy.Check(url));
        Assert.Equal(expected, policy.Check(url));
        Assert.Equal(expected, policy.Check(new string(url.ToCharArray()))); // equal text, another string
    }

    [Fact]
    public void Many_urls_in_turn_keep_their_own_verdicts()
    {
        WebSocketUrlPolicy policy = Policy();
        string[] good = Enumerable.Range(0, 9).Select(i => $"wss://r{i}.mentra.glass/app-ws").ToArray();
        string[] bad = Enumerable.Range(0, 9).Select(i => $"wss://r{i}.evil.example/app-ws").ToArray();

        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < good.Length; i++)
            {
                Assert.Null(policy.Check(good[i]));
                Assert.Equal($"the host 'r{i}.evil.example' is not on the allow-list", policy.Check(bad[i]));
            }
        }
    }

    [Fact]
    public void Threads_checking_at_once_get_the_right_verdicts()
    {
        WebSocketUrlPolicy policy = Policy();
        Parallel.For(0, 20_000, i =>
        {
            string url = i % 3 == 0 ? "wss://cloud.mentra.glass/app-ws" : $"wss://h{i % 7}.evil.example/ws";
            string? expected = i % 3 == 0 ? null : $"the host 'h{i % 7}.evil.example' is not on the allow-list";
            Assert.Equal(expected, policy.Check(url));
        });
    }

    [Fact]
    public void Every_url_of_a_request_must_pass_not_only_the_one_it_connects_to()
    {
        WebSocketUrlPolicy policy = Policy();
        var request = new SessionWebhookRequest
        {
            SessionId = "s",
            UserId = "u",
            Timestamp = "t",
            MentraOSWebSocketUrl = "wss://cloud.mentra.glass/app-ws",
            AugmentOSWebSocketUrl = "wss://evil.example/app-ws",
        };

        Assert.Equal("the host 'evil.example' is not on the allow-list", policy.Check(request));
        Assert.Null(policy.Check(request with { AugmentOSWebSocketUrl = null }));
    }

    public static TheoryData<string, WebhookRequest> OneForgedUrl()
    {
        const string Good = "wss://cloud.mentra.glass/app-ws";
        const string Forged = "wss://evil.example/app-ws";
        var session = new SessionWebhookRequest { SessionId = "s", UserId = "u", Timestamp = "t", MentraOSWebSocketUrl = Good, AugmentOSWebSocketUrl = Good, WebSocketUrl = Good };
        return new()
        {
            { "session_request websocketUrl", session with { WebSocketUrl = Forged } },
            { "session_request mentraOSWebsocketUrl", session with { MentraOSWebSocketUrl = Forged } },
            { "session_request augmentOSWebsocketUrl", session with { AugmentOSWebSocketUrl = Forged } },
            { "session_recovery mentraOSWebsocketUrl", new SessionRecoveryWebhookRequest { SessionId = "s", UserId = "u", Timestamp = "t", MentraOSWebSocketUrl = Forged } },
        };
    }

    [Theory]
    [MemberData(nameof(OneForgedUrl))]
    public void Each_url_property_the_schema_marks_is_checked(string where, WebhookRequest request)
    {
        Assert.True(Policy().Check(request) == "the host 'evil.example' is not on the allow-list", where);
    }

    [Fact]
    public void Every_url_property_of_the_webhook_schema_is_marked_for_the_policy()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(SnapshotTests.ProjectDirectory(), "..", "..", "schema", "mentra.webhooks.schema.json")));
        var urls = schema.RootElement.GetProperty("$defs").EnumerateObject()
            .Where(type => type.Value.TryGetProperty("properties", out _))
            .SelectMany(type => type.Value.GetProperty("properties").EnumerateObject().Select(p => (Where: type.Name + "." + p.Name, p.Value)))
            .Where(p => p.Where.Contains("url", System.StringComparison.OrdinalIgnoreCase))
            .ToList();

        // server_registration's serverUrls, a list the SDK never connects to, is the one URL property left unmarked.
        Assert.Equal(["ServerRegistrationWebhookRequest.serverUrls"], urls.Where(p => p.Value.GetProperty("type").GetString() != "string").Select(p => p.Where));
        urls.RemoveAll(p => p.Value.GetProperty("type").GetString() != "string");

        Assert.Equal(4, urls.Count);
        Assert.All(urls, p => Assert.True(p.Value.TryGetProperty("x-websocket-url", out JsonElement marked) && marked.GetBoolean(), p.Where + " is not marked x-websocket-url"));
    }
}
