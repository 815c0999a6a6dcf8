using System.Linq;
using System.Threading.Tasks;
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
}
