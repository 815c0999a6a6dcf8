using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace MentraApp1.Tests;

/// <summary>The app on Kestrel (a real socket, so that the cloud emulator can call it), with the key the emulator checks.</summary>
public sealed class GlassesAppServer : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key";

    /// <summary>The key pair the emulator signs its user tokens with; the app trusts its public key, as it trusts the cloud's.</summary>
    public static readonly System.Security.Cryptography.RSA UserTokens = System.Security.Cryptography.RSA.Create(2048);

    // Kestrel on a free loopback port chosen by the system. The port is set as the app's URL rather than by UseKestrel(0),
    // which changes the server's addresses after the app has started binding them: a race that fails now and then
    // (dotnet/aspnetcore#67714).
    public GlassesAppServer() => UseKestrel();

    /// <summary>Starts the app on its socket, then the cloud emulator that calls it (its user tokens trusted by the app's webview).</summary>
    public Task<CloudEmulator> StartWithCloudAsync()
    {
        StartServer();
        using HttpClient client = CreateClient();
        return CloudEmulator.StartAsync(new EmulatorOptions
        {
            AppUrl = client.BaseAddress!,
            PackageName = "com.example.mentraapp",
            ApiKey = ApiKey,
            UserTokenKey = UserTokens,
        }, TestContext.Current.CancellationToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.UseSetting("Mentra:ApiKey", ApiKey);
        builder.UseSetting("Mentra:UserTokenPublicKey", UserTokens.ExportSubjectPublicKeyInfoPem());
        builder.UseSetting("Mentra:AllowInsecureLoopbackWebSocket", "true"); // the emulator's socket is ws:// on 127.0.0.1
    }
}

/// <summary>Whole glasses sessions against the MentraOS Cloud emulator (Mentra.Generated.Testing), over real sockets.</summary>
public sealed class SessionTests(GlassesAppServer app) : IClassFixture<GlassesAppServer>
{
    [Fact]
    public async Task The_app_greets_the_wearer_and_shows_what_they_say()
    {
        await using CloudEmulator cloud = await app.StartWithCloudAsync();

        (WebhookResult answer, EmulatedSession session) = await cloud.StartSessionAsync("alice@example.com", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(200, answer.Status);
        // The SDK sends the subscriptions after the ack and before any [OnConnected] handler runs, so the greeting follows
        // them; each wait below skips what comes before the message it waits for.
        SubscriptionUpdate subscribed = await session.WaitForAsync<SubscriptionUpdate>();
        Assert.Contains("transcription:en-US", subscribed.Subscriptions.Select(s => s.ToString()));
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: var text } && text.StartsWith("Hello from", StringComparison.Ordinal));

        await session.SendTranscriptionAsync("hello glasses");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "hello glasses" });

        WebhookResult stopped = await session.StopAsync();
        Assert.Equal(200, stopped.Status);
        Assert.Equal(1000, (await session.Closed).Status);
    }
}
