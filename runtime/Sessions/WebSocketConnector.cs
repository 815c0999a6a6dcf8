using System;
using System.Buffers;
using System.Net;
using System.Net.Http;
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
/// and hands the connection to <see cref="SessionSocket"/>. <see cref="ClientWebSocket"/> would do the handshake through
/// the HTTP stack, whose connection (with its buffers) stays behind every socket for the socket's whole life; an idle
/// session here holds the socket (and the TLS stream), nothing more. No compression, no subprotocol: what the v2
/// app-session protocol uses. The system's proxy (<see cref="HttpClient.DefaultProxy"/>: <c>HTTPS_PROXY</c>,
/// <c>HTTP_PROXY</c>, <c>ALL_PROXY</c> and <c>NO_PROXY</c> on Linux) is honoured as ClientWebSocket honours it, with an
/// HTTP <c>CONNECT</c> tunnel, except for loopback addresses (a local cloud or emulator).
/// </summary>
internal static class WebSocketConnector
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int MaxResponseHeader = 8 * 1024;

    /// <summary>
    /// Connects and does the handshake. <paramref name="cancellationToken"/> ends the attempt by closing the socket; it is
    /// never handed to the socket's own operations, which would keep a reference to it (and to what it is linked to) for
    /// the socket's whole life.
    /// </summary>
    public static Task<SessionSocket> ConnectAsync(Uri url, CancellationToken cancellationToken) =>
        ConnectAsync(url, validateServer: null, IsLoopback(url) ? null : HttpClient.DefaultProxy, cancellationToken);

    /// <summary>
    /// Connects with <paramref name="validateServer"/> deciding on the server's certificate for <c>wss</c> (null: the
    /// system's validation, as for every real cloud; tests pass one that trusts their own certificate), through
    /// <paramref name="proxy"/> when it has one for the URL.
    /// </summary>
    internal static async Task<SessionSocket> ConnectAsync(Uri url, RemoteCertificateValidationCallback? validateServer, IWebProxy? proxy, CancellationToken cancellationToken)
    {
        bool secure = url.Scheme switch
        {
            "wss" => true,
            "ws" => false,
            _ => throw new WebSocketException($"'{url.Scheme}' is not a WebSocket scheme."),
        };
        Uri? via = ProxyFor(url, proxy);
        Socket socket = await ConnectSocketAsync(via ?? url, cancellationToken).ConfigureAwait(false);
        SslStream? tls = null;
        byte[] header = ArrayPool<byte>.Shared.Rent(MaxResponseHeader);
        CancellationTokenRegistration abort = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        try
        {
            if (via is not null)
            {
                await TunnelAsync(socket, url, proxy!.Credentials?.GetCredential(via, "Basic"), header).ConfigureAwait(false);
            }

            if (secure)
            {
                tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.IdnHost, RemoteCertificateValidationCallback = validateServer }, CancellationToken.None).ConfigureAwait(false);
            }

            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string host = url.IsDefaultPort ? url.IdnHost : url.IdnHost + ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            byte[] request = Encoding.ASCII.GetBytes("GET " + url.PathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            if (tls is null)
            {
                // A few hundred bytes into a fresh socket's empty send buffer: this returns at once, and unlike SendAsync
                // leaves no pending-send object cached on the socket for its whole life.
                socket.Send(request);
            }
            else
            {
                await tls.WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
                await tls.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            (int headerLength, int read) = await ReadHeaderAsync(socket, tls, header).ConfigureAwait(false);
            Check(Encoding.ASCII.GetString(header, 0, headerLength), key);
            await abort.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new SessionSocket(socket, tls, header.AsSpan(headerLength, read - headerLength));
        }
        catch (Exception e)
        {
            await abort.DisposeAsync().ConfigureAwait(false);
            (tls as IDisposable ?? socket).Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw e is SocketException ? new WebSocketException("The WebSocket handshake failed: " + e.Message, e) : e;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));

    /// <summary>The proxy <paramref name="proxy"/> names for the URL (as the HTTP URL of the same host), or null for none.</summary>
    private static Uri? ProxyFor(Uri url, IWebProxy? proxy)
    {
        if (proxy is null)
        {
            return null;
        }

        Uri target = new UriBuilder(url) { Scheme = url.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp }.Uri;
        return proxy.IsBypassed(target) || proxy.GetProxy(target) is not { } via || via == target ? null : via;
    }

    /// <summary>
    /// Asks the proxy for a tunnel to the URL's host (<c>CONNECT</c>, with Basic credentials when it has some) and checks
    /// that it opened one; what follows goes through the tunnel.
    /// </summary>
    private static async Task TunnelAsync(Socket socket, Uri url, NetworkCredential? credential, byte[] buffer)
    {
        string authority = (url.HostNameType == UriHostNameType.IPv6 ? "[" + url.DnsSafeHost + "]" : url.IdnHost) + ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
        if (credential is not null)
        {
            request += "Proxy-Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password)) + "\r\n";
        }

        socket.Send(Encoding.ASCII.GetBytes(request + "\r\n"));
        (int headerLength, int read) = await ReadHeaderAsync(socket, null, buffer).ConfigureAwait(false);
        string status = Encoding.ASCII.GetString(buffer, 0, headerLength).Split("\r\n")[0];
        if (!(status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || status.StartsWith("HTTP/1.0 200", StringComparison.Ordinal)) || read != headerLength)
        {
            throw new WebSocketException("The proxy did not open a tunnel to " + authority + ": " + status);
        }
    }

    /// <summary>
    /// A socket connected to the URL's host: its address, or each address its name resolves to in turn, with a socket of
    /// that address's family (a dual-mode socket would keep a mapped address, and a name endpoint, for its whole life).
    /// </summary>
    private static async Task<Socket> ConnectSocketAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            IPAddress[] addresses = IPAddress.TryParse(url.DnsSafeHost, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(url.DnsSafeHost, cancellationToken).ConfigureAwait(false);
            for (int i = 0; ; i++)
            {
                var socket = new Socket(addresses[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using (cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
                    {
                        await socket.ConnectAsync(new IPEndPoint(addresses[i], url.Port), CancellationToken.None).ConfigureAwait(false);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return socket;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    socket.Dispose();
                    cancellationToken.ThrowIfCancellationRequested();
                    if (i == addresses.Length - 1)
                    {
                        throw;
                    }
                }
            }
        }
        catch (SocketException e)
        {
            throw new WebSocketException("Could not connect to " + url.IdnHost + ": " + e.Message, e);
        }
    }

    /// <summary>
    /// Reads until the response header's blank line; returns the header's length and how much was read (what follows the
    /// header is already the first frames, for the socket).
    /// </summary>
    private static async Task<(int HeaderLength, int Read)> ReadHeaderAsync(Socket socket, SslStream? tls, byte[] buffer)
    {
        int read = 0;
        while (read < MaxResponseHeader)
        {
            Memory<byte> free = buffer.AsMemory(read, MaxResponseHeader - read);
            int count = tls is null
                ? await socket.ReceiveAsync(free, SocketFlags.None, CancellationToken.None).ConfigureAwait(false)
                : await tls.ReadAsync(free, CancellationToken.None).ConfigureAwait(false);
            if (count == 0)
            {
                throw new WebSocketException("The server closed the connection during the WebSocket handshake.");
            }

            int searchFrom = Math.Max(0, read - 3);
            read += count;
            int end = buffer.AsSpan(searchFrom, read - searchFrom).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return (searchFrom + end + 4, read);
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
