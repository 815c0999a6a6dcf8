using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mentra.Generated;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace MentraApp1.Tests;

/// <summary>
/// The app with its sessions' WebSocket off: these tests are about the webhooks, with no cloud to connect to. A whole
/// glasses session (connect, ack, transcription in, text out) runs against the cloud emulator:
/// <c>dotnet tool install --global Mentra.Generated.Emulator</c>, then <c>mentra-emulator --run .</c>.
/// </summary>
public sealed class WebhookOnlyApp : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("Mentra:ConnectAppSessions", "false");
}

/// <summary>The app's webhook endpoint, through the whole ASP.NET Core pipeline, as MentraOS Cloud calls it.</summary>
public sealed class WebhookTests(WebhookOnlyApp factory) : IClassFixture<WebhookOnlyApp>
{
    private const string SessionRequest = """
        {"type":"session_request","sessionId":"alice@example.com-com.example.mentraapp","userId":"alice@example.com",
         "timestamp":"2026-06-27T21:54:26.123Z","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}
        """;

    private const string StopRequest = """
        {"type":"stop_request","sessionId":"alice@example.com-com.example.mentraapp","userId":"alice@example.com",
         "timestamp":"2026-06-27T22:10:02.456Z","reason":"user_disabled"}
        """;

    private async Task<(HttpStatusCode Status, WebhookResponse? Body)> PostAsync(string json)
    {
        using HttpClient client = factory.CreateClient();
        using HttpResponseMessage response = await client.PostAsync("/webhook", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync(MentraJsonContext.Default.WebhookResponse, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_session_starts_and_stops()
    {
        Assert.Equal((HttpStatusCode.OK, WebhookResponse.Success), await PostAsync(SessionRequest));
        Assert.Equal((HttpStatusCode.OK, WebhookResponse.Success), await PostAsync(StopRequest));
    }

    [Fact]
    public async Task A_session_request_naming_a_foreign_websocket_is_refused()
    {
        (HttpStatusCode status, WebhookResponse? body) = await PostAsync(SessionRequest.Replace("cloud.mentra.glass", "evil.example"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Untrusted WebSocket URL: the host 'evil.example' is not on the allow-list", body?.Message);
    }
}
