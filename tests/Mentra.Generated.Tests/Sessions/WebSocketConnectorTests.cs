using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tests.Hosting;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The session's own WebSocket handshake: refusals are clear errors; a good one gives a working socket (the lifecycle tests use it throughout).</summary>
public sealed class WebSocketConnectorTests
{
    [Fact]
    public async Task A_server_that_does_not_upgrade_is_a_clear_error()
    {
        await using KestrelHost host = await KestrelHost.StartHostingAppAsync();
        var url = new Uri("ws://" + host.Address.Authority + "/not-a-socket");

        var error = await Assert.ThrowsAsync<WebSocketException>(() => WebSocketConnector.ConnectAsync(url, CancellationToken.None));

        Assert.Equal("The server refused the WebSocket: HTTP/1.1 404 Not Found", error.Message);
    }

    [Fact]
    public async Task Nothing_listening_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => WebSocketConnector.ConnectAsync(new Uri("ws://127.0.0.1:1/app-ws"), CancellationToken.None));

        Assert.StartsWith("Could not connect to 127.0.0.1: Connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_ws_and_wss_are_websocket_urls()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => WebSocketConnector.ConnectAsync(new Uri("http://127.0.0.1/app-ws"), CancellationToken.None));

        Assert.Equal("'http' is not a WebSocket scheme.", error.Message);
    }
}
