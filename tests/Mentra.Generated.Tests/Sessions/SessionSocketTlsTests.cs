using System;
using System.Linq;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// The session's WebSocket over TLS (<c>wss</c>, what the real cloud uses), against ASP.NET Core's WebSocket server behind
/// Kestrel's TLS with a certificate made for the test: a message each way, a message larger than several TLS records,
/// and the close.
/// </summary>
public sealed class SessionSocketTlsTests
{
    [Fact]
    public async Task Messages_and_the_close_go_through_tls()
    {
        using X509Certificate2 certificate = SelfSigned();
        byte[] large = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        await using WebApplication server = builder.Build();
        server.UseWebSockets();
        server.Map("/app-ws", async context =>
        {
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[1024];
            ValueWebSocketReceiveResult received = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.SendAsync(large, WebSocketMessageType.Binary, true, CancellationToken.None);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None); // the client's answer to the close
        });
        await server.StartAsync();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var url = new Uri($"wss://127.0.0.1:{address.Port}/app-ws");

        using SessionSocket socket = await WebSocketConnector.ConnectAsync(url, (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(), proxy: null, CancellationToken.None);
        await SessionSocketTests.SendJsonAsync(socket, "hello");

        (SocketMessageKind kind, byte[] payload) = await ReceiveAsync(socket);
        Assert.Equal(SocketMessageKind.Text, kind);
        Assert.Equal("\"hello\"", Encoding.UTF8.GetString(payload));
        (kind, payload) = await ReceiveAsync(socket);
        Assert.Equal(SocketMessageKind.Binary, kind);
        Assert.Equal(large, payload);
        Assert.Equal(SocketMessageKind.Close, (await ReceiveAsync(socket)).Kind);
        Assert.Equal((1000, "bye"), (socket.CloseStatus, socket.CloseStatusDescription));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task A_certificate_the_system_does_not_trust_is_refused()
    {
        using X509Certificate2 certificate = SelfSigned();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        await using WebApplication server = builder.Build();
        await server.StartAsync();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => WebSocketConnector.ConnectAsync(new Uri($"wss://127.0.0.1:{address.Port}/app-ws"), CancellationToken.None));
    }

    private static async Task<(SocketMessageKind Kind, byte[] Payload)> ReceiveAsync(SessionSocket socket)
    {
        SocketMessage message;
        while (!socket.TryReceive(1024 * 1024, out message))
        {
            await socket.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        return (message.Kind, message.Span.ToArray());
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
