using System.Net;
using Mentra.Generated.Emulator;
using Xunit;

namespace MentraApp1.Tests;

/// <summary>The app's webview, opened as the phone opens it: signed in by the cloud's tokens (the emulator's), and closed to anyone else.</summary>
public sealed class WebviewTests(GlassesAppServer app) : IClassFixture<GlassesAppServer>
{
    [Fact]
    public async Task The_webview_greets_the_signed_in_user_and_refuses_anyone_else()
    {
        await using CloudEmulator cloud = await app.StartWithCloudAsync();
        using HttpClient client = app.CreateClient();

        WebhookResult page = await cloud.OpenWebviewAsync("alice@example.com", cancellationToken: TestContext.Current.CancellationToken);
        using HttpResponseMessage anonymous = await client.GetAsync("/webview", TestContext.Current.CancellationToken);

        Assert.Equal(200, page.Status);
        Assert.Contains("Signed in as alice@example.com; your glasses are not connected.", page.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
