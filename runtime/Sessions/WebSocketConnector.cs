using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>
/// Opens a session's WebSocket with the opening handshake written here, over a plain socket (and TLS for <c>wss</c>),
/// then hands the stream to the framework's WebSocket. <see cref="ClientWebSocket"/> would do the handshake through
/// the HTTP stack, whose connection (with its buffers) stays behind every socket for the socket's whole life; an idle
/// session here holds the socket, the TLS stream and the WebSocket, nothing more. No proxy, no compression, no
/// subprotocol: what the v2 app-session protocol uses.
/// </summary>
internal static class WebSocketConnector
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int MaxResponseHeader = 8 * 1024;

    public static async Task<WebSocket> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        bool secure = url.Scheme switch
        {
            "wss" => true,
            "ws" => false,
            _ => throw new WebSocketException($"'{url.Scheme}' is not a WebSocket scheme."),
        };
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(url.IdnHost, url.Port), cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (secure)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.IdnHost }, cancellationToken).ConfigureAwait(false);
            }

            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string host = url.IsDefaultPort ? url.IdnHost : url.IdnHost + ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string request = "GET " + url.PathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

            stream = new PooledReadStream(stream);
            string response = await ReadHeaderAsync(stream, cancellationToken).ConfigureAwait(false);
            Check(response, key);
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        }
        catch (SocketException e)
        {
            (stream as IDisposable ?? socket).Dispose();
            throw new WebSocketException("Could not connect to " + url.IdnHost + ": " + e.Message, e);
        }
        catch
        {
            (stream as IDisposable ?? socket).Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the response header to its blank line, a byte at a time from the pooled stream (which reads the socket in
    /// larger pieces), so that whatever follows the header stays in the stream for the WebSocket.
    /// </summary>
    private static async Task<string> ReadHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new StringBuilder(256);
        byte[] one = new byte[1];
        while (header.Length < MaxResponseHeader)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new WebSocketException("The server closed the connection during the WebSocket handshake.");
            }

            header.Append((char)one[0]);
            if (header.Length >= 4 && header[^1] == '\n' && header[^2] == '\r' && header[^3] == '\n' && header[^4] == '\r')
            {
                return header.ToString();
            }
        }

        throw new WebSocketException("The WebSocket handshake's response header is larger than 8 KiB.");
    }

    /// <summary>101, <c>Upgrade: websocket</c>, and the accept key that proves the server read this request.</summary>
    private static void Check(string response, string key)
    {
        string[] lines = response.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string status = lines.Length > 0 ? lines[0] : string.Empty;
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new WebSocketException("The server refused the WebSocket: " + status);
        }

        string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
        bool upgrade = false, accepted = false;
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string name = line.Substring(0, colon).Trim();
            string value = line.Substring(colon + 1).Trim();
            upgrade |= name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) && value.Equals("websocket", StringComparison.OrdinalIgnoreCase);
            accepted |= name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase) && value == expected;
        }

        if (!upgrade || !accepted)
        {
            throw new WebSocketException("The server's WebSocket handshake is not valid (Upgrade or Sec-WebSocket-Accept).");
        }
    }
}
