using System.Threading.Tasks;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>
/// The URL properties of session_request are marked <c>x-reuse-last</c>: the converter keeps the last string read for
/// each and returns it again for the same text. Which instance comes back depends on what was read before, so the
/// tests that assert instances run alone (<see cref="SharedConverterState"/>); the tests of values run with the rest.
/// </summary>
public sealed class ReuseLastTests
{
    internal static string Session(string websocketUrl, string mentraOS) =>
        $$"""{"type":"session_request","sessionId":"s","userId":"u","timestamp":"t","websocketUrl":"{{websocketUrl}}","mentraOSWebsocketUrl":"{{mentraOS}}"}""";

    internal static SessionWebhookRequest ReadSession(string json) => Assert.IsType<SessionWebhookRequest>(Read(json));

    /// <summary>Reads a session_request whose two URL properties both hold <paramref name="url"/> (JSON text, escapes allowed).</summary>
    internal static SessionWebhookRequest ReadUrl(string url) => ReadSession(Session(url, url));

    [Theory]
    [InlineData("wss://a.mentra.glass/ws", "wss:\\/\\/a.mentra.glass\\/ws", "wss://a.mentra.glass/ws")]
    [InlineData("wss://a.mentra.glass/ws", "wss://a.mentra.glass/w\\u00e9", "wss://a.mentra.glass/w\u00e9")]
    [InlineData("wss://a.mentra.glass/w\\u00e9", "wss://a.mentra.glass/w\u00e9", "wss://a.mentra.glass/w\u00e9")]
    [InlineData("wss://a.mentra.glass/ws", "wss://a.mentra.glass/wt", "wss://a.mentra.glass/wt")]
    [InlineData("wss://a.mentra.glass/ws", "wss://a.mentra.glass/w", "wss://a.mentra.glass/w")]
    [InlineData("wss://a.mentra.glass/ws", "", "")]
    public void The_next_webhook_always_reads_its_own_text(string first, string second, string expected)
    {
        ReadUrl(first);

        SessionWebhookRequest next = ReadUrl(second);

        Assert.Equal(expected, next.WebSocketUrl);
        Assert.Equal(expected, next.MentraOSWebSocketUrl);
    }

    [Fact]
    public void Threads_reading_different_urls_at_once_each_read_their_own()
    {
        string[] urls = ["wss://cloud.mentra.glass/ws/miniapp", "wss://uscentralapi.mentra.glass/ws/miniapp", "wss://prod.augmentos.cloud/app-ws"];

        Parallel.For(0, 4, thread =>
        {
            for (int i = 0; i < 3000; i++)
            {
                string url = urls[(i + thread) % urls.Length];
                SessionWebhookRequest request = ReadUrl(url);
                Assert.Equal(url, request.WebSocketUrl);
                Assert.Equal(url, request.MentraOSWebSocketUrl);
            }
        });
    }
}

/// <summary>The tests that see which string instance the SDK's converters keep; they run when no other test runs.</summary>
[CollectionDefinition(nameof(SharedConverterState), DisableParallelization = true)]
public sealed class SharedConverterState;

/// <summary>Which instance comes back: the kept one for the same text, a new one otherwise.</summary>
[Collection(nameof(SharedConverterState))]
public sealed class ReuseLastInstanceTests
{
    [Fact]
    public void The_same_url_in_the_next_webhook_is_the_same_string()
    {
        string json = ReuseLastTests.Session("wss://a.mentra.glass/ws/miniapp", "wss://a.mentra.glass/app-ws");

        SessionWebhookRequest first = ReuseLastTests.ReadSession(json);
        SessionWebhookRequest second = ReuseLastTests.ReadSession(json);

        Assert.Same(first.WebSocketUrl, second.WebSocketUrl);
        Assert.Same(first.MentraOSWebSocketUrl, second.MentraOSWebSocketUrl);
        Assert.NotSame(first.SessionId, second.SessionId);
    }

    [Fact]
    public void A_different_url_replaces_the_kept_string()
    {
        SessionWebhookRequest a = ReuseLastTests.ReadUrl("wss://a.mentra.glass/ws");
        SessionWebhookRequest b = ReuseLastTests.ReadUrl("wss://b.mentra.glass/ws");
        SessionWebhookRequest again = ReuseLastTests.ReadUrl("wss://b.mentra.glass/ws");

        Assert.Equal("wss://b.mentra.glass/ws", b.WebSocketUrl);
        Assert.NotSame(a.WebSocketUrl, b.WebSocketUrl);
        Assert.Same(b.WebSocketUrl, again.WebSocketUrl);
    }

    [Fact]
    public void Escaped_text_of_the_kept_value_is_read_anew()
    {
        SessionWebhookRequest plain = ReuseLastTests.ReadUrl("wss://a.mentra.glass/x");
        SessionWebhookRequest escaped = ReuseLastTests.ReadUrl("wss:\\/\\/a.mentra.glass\\/x");

        Assert.Equal(plain.WebSocketUrl, escaped.WebSocketUrl);
        Assert.NotSame(plain.WebSocketUrl, escaped.WebSocketUrl);
    }
}
