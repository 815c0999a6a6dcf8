using System;
using System.Buffers.Binary;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Mentra.Generated.Protocol;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// The session's own WebSocket client against a server written byte by byte here, for what a framework server never
/// sends on its own: fragments, frames split across reads, control frames between fragments, protocol errors. (The
/// lifecycle tests run the same client against ASP.NET Core's WebSocket server in the emulator.)
/// </summary>
public sealed class SessionSocketTests
{
    private const byte Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    [Fact]
    public async Task Many_frames_in_one_read_and_one_frame_in_many_reads_arrive_whole_and_in_order()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        byte[] medium = Filled(300, 'm');
        byte[] large = Filled(70_000, 'l');

        await server.WriteAsync([.. Frame(Text, "one"u8), .. Frame(Binary, [1, 2, 3]), .. Frame(Text, medium)]);
        byte[] split = Frame(Text, large);
        for (int i = 0; i < split.Length; i += split.Length / 7)
        {
            await server.WriteAsync(split.AsSpan(i, Math.Min(split.Length / 7, split.Length - i)).ToArray());
            await Task.Delay(5);
        }

        Assert.Equal((SocketMessageKind.Text, "one"), Text8(await ReceiveAsync(socket)));
        (SocketMessageKind kind, byte[] payload, _) = await ReceiveAsync(socket);
        Assert.Equal(SocketMessageKind.Binary, kind);
        Assert.Equal([1, 2, 3], payload);
        Assert.Equal(medium, (await ReceiveAsync(socket)).Payload);
        Assert.Equal(large, (await ReceiveAsync(socket)).Payload);
    }

    [Fact]
    public async Task A_frame_sent_with_the_handshake_response_is_the_first_message()
    {
        await using RawServer server = await RawServer.StartAsync(afterHandshake: Frame(Text, "{\"type\":\"tpa_connection_ack\"}"u8));
        using SessionSocket socket = await server.ConnectAsync();

        Assert.Equal((SocketMessageKind.Text, "{\"type\":\"tpa_connection_ack\"}"), Text8(await ReceiveAsync(socket)));
    }

    [Fact]
    public async Task A_fragmented_message_is_put_together_and_a_ping_between_its_fragments_is_answered_with_its_payload()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();

        await server.WriteAsync([.. Frame(Text, "hel"u8, fin: false), .. Frame(Ping, "p1"u8), .. Frame(Continuation, "lo "u8, fin: false), .. Frame(Pong, "ignored"u8), .. Frame(Continuation, "world"u8)]);

        (SocketMessageKind kind, byte[] ping, _) = await ReceiveAsync(socket);
        Assert.Equal(SocketMessageKind.Ping, kind);
        await socket.SendPongAsync(ping, CancellationToken.None);
        Assert.Equal((Pong, "p1"), Text8(await server.ReadFrameAsync()));
        Assert.Equal((SocketMessageKind.Text, "hello world"), Text8(await ReceiveAsync(socket)));
    }

    [Fact]
    public async Task A_message_over_the_limit_is_skipped_whole_and_the_next_one_arrives()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        byte[] tooLarge = Frame(Text, Filled(1000, 'x'));

        await server.WriteAsync(tooLarge.AsSpan(0, 500).ToArray());
        await Task.Delay(5);
        await server.WriteAsync([.. tooLarge.AsSpan(500), .. Frame(Text, "next"u8)]);
        await server.WriteAsync([.. Frame(Binary, Filled(60, 'a'), fin: false), .. Frame(Continuation, Filled(60, 'b')), .. Frame(Text, "after"u8)]);

        (SocketMessageKind kind, _, bool skipped) = await ReceiveAsync(socket, maxMessageBytes: 100);
        Assert.Equal(SocketMessageKind.Text, kind);
        Assert.True(skipped);
        Assert.Equal((SocketMessageKind.Text, "next"), Text8(await ReceiveAsync(socket, maxMessageBytes: 100)));
        (kind, _, skipped) = await ReceiveAsync(socket, maxMessageBytes: 100);
        Assert.Equal(SocketMessageKind.Binary, kind);
        Assert.True(skipped);
        Assert.Equal((SocketMessageKind.Text, "after"), Text8(await ReceiveAsync(socket, maxMessageBytes: 100)));
    }

    [Fact]
    public async Task A_detached_message_keeps_its_bytes_while_the_socket_reads_on_in_a_buffer_of_its_own()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        // Six bytes of the first frame, then a frame that needs the whole 4 KiB buffer: a socket still using the first
        // frame's buffer would move the second to its start, over the first.
        byte[] second = Frame(Binary, Filled(4088, 'b'));

        await server.WriteAsync([.. Frame(Binary, [1, 2, 3, 4]), .. second.AsSpan(0, 1000)]);
        SocketMessage first = await ReceiveMessageAsync(socket);
        Assert.Equal([1, 2, 3, 4], first.Span.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(first.Memory, out ArraySegment<byte> kept));
        byte[] detached = socket.Detach(first.Memory);
        await server.WriteAsync(second.AsSpan(1000).ToArray());
        await server.WriteAsync([.. Frame(Text, "hello"u8, fin: false), .. Frame(Continuation, " world"u8)]);

        Assert.Same(kept.Array, detached);
        Assert.Equal(Filled(4088, 'b'), (await ReceiveAsync(socket)).Payload);
        Assert.Equal([1, 2, 3, 4], kept.AsSpan().ToArray()); // the socket wrote nothing more into it
        SocketMessage fragmented = await ReceiveMessageAsync(socket);
        Assert.Equal("hello world", Encoding.UTF8.GetString(fragmented.Span));
        byte[] fragments = socket.Detach(fragmented.Memory);
        await server.WriteAsync(Frame(Text, "next"u8));
        Assert.Equal((SocketMessageKind.Text, "next"), Text8(await ReceiveAsync(socket)));
        Assert.Equal("hello world", Encoding.UTF8.GetString(fragments, 0, 11));
        Assert.Throws<InvalidOperationException>(() => socket.Detach(new byte[4]));
    }

    [Fact]
    public async Task A_masked_frame_from_the_server_is_unmasked_rather_than_refused()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();

        await server.WriteAsync(Frame(Text, "masked"u8, mask: [0x11, 0x22, 0x33, 0x44]));

        Assert.Equal((SocketMessageKind.Text, "masked"), Text8(await ReceiveAsync(socket)));
    }

    [Theory]
    [InlineData(new byte[] { 0x80 | 0x40 | Text, 1, (byte)'x' }, "reserved bits are set")]
    [InlineData(new byte[] { 0x80 | 3, 0 }, "unknown opcode 3")]
    [InlineData(new byte[] { Ping, 0 }, "a control frame must be one frame")]
    [InlineData(new byte[] { 0x80 | Continuation, 1, (byte)'x' }, "a continuation frame without a message")]
    [InlineData(new byte[] { Text, 1, (byte)'x', 0x80 | Text, 1, (byte)'y' }, "a new message inside a fragmented one")]
    public async Task A_broken_frame_is_a_clear_protocol_error(byte[] bytes, string what)
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();

        await server.WriteAsync(bytes);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(socket));
        Assert.StartsWith("The server broke the WebSocket protocol: " + what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_close_is_read_with_its_code_and_reason_and_answered_with_a_masked_close()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        byte[] close = new byte[2 + 12];
        BinaryPrimitives.WriteUInt16BigEndian(close, 1001);
        "App stopped."u8.CopyTo(close.AsSpan(2));

        await server.WriteAsync(Frame(Close, close));

        Assert.Equal(SocketMessageKind.Close, (await ReceiveAsync(socket)).Kind);
        Assert.Equal(1001, socket.CloseStatus);
        Assert.Equal("App stopped.", socket.CloseStatusDescription);
        Assert.Equal(WebSocketState.CloseReceived, socket.State);
        await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "App stopped.", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
        (byte opcode, byte[] payload) = await server.ReadFrameAsync();
        Assert.Equal(Close, opcode);
        Assert.Equal(close, payload);
        await Assert.ThrowsAsync<WebSocketException>(() => SendJsonAsync(socket, "late").AsTask());
    }

    [Fact]
    public async Task A_close_reason_is_cut_to_the_123_bytes_a_close_frame_allows()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, new string('é', 100), CancellationToken.None);

        (byte opcode, byte[] payload) = await server.ReadFrameAsync();
        Assert.Equal(Close, opcode);
        Assert.Equal(1000, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.Equal(new string('é', 61), Encoding.UTF8.GetString(payload.AsSpan(2)));
    }

    /// <summary>A JSON string sent as a message: its payload is the text in quotes, two bytes longer than the text.</summary>
    internal static ValueTask SendJsonAsync(SessionSocket socket, string text) =>
        socket.SendJsonAsync(text, JsonMetadataServices.CreateValueInfo<string>(JsonOptions, JsonMetadataServices.StringConverter), CancellationToken.None);

    private static readonly JsonSerializerOptions JsonOptions = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine() };

    private static byte[] Quoted(byte[] text) => [(byte)'"', .. text, (byte)'"'];

    [Theory]
    [InlineData(5)]
    [InlineData(125)] // the largest payload a 7-bit length holds
    [InlineData(126)]
    [InlineData(300)]
    [InlineData(1024 - 14)] // the pooled buffer's first size, header room included: written without growing
    [InlineData(1024 - 13)] // one byte more: the buffer grows mid-message
    [InlineData(65_535)] // the largest a 16-bit length holds
    [InlineData(65_536)]
    [InlineData(70_000)]
    public async Task A_sent_message_is_one_masked_frame_with_the_right_length(int length)
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        byte[] text = Filled(length - 2, 't');

        await SendJsonAsync(socket, Encoding.ASCII.GetString(text));

        (byte opcode, byte[] payload) = await server.ReadFrameAsync();
        Assert.Equal(Text, opcode);
        Assert.Equal(length, payload.Length);
        Assert.Equal(Quoted(text), payload);
    }

    [Fact]
    public async Task A_protocol_message_goes_out_byte_for_byte_as_the_serializer_writes_it()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        AppMessage message = new Mentra.Generated.Protocol.DisplayEvent
        {
            PackageName = "org.example.captions",
            SessionId = "alice@example.com-org.example.captions",
            View = Mentra.Generated.Protocol.DisplayView.Main,
            Layout = new Mentra.Generated.Protocol.TextWall { Text = "<b>café</b> & \"quotes\" 'too' \u2028 😀 " + new string('x', 3000) },
            DurationMs = 1500,
            Timestamp = "2026-12-03T09:00:00.000Z",
        };

        await socket.SendJsonAsync(message, AppSessionJsonContext.Default.AppMessage, CancellationToken.None);

        (byte opcode, byte[] payload) = await server.ReadFrameAsync();
        Assert.Equal(Text, opcode);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(message, AppSessionJsonContext.Default.AppMessage), payload);
    }

    [Fact]
    public async Task Concurrent_sends_go_out_one_whole_frame_at_a_time()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        byte[][] messages = [.. Enumerable.Range(0, 24).Select(i => Filled(i % 2 == 0 ? 1024 * 1024 : 50, (char)('a' + (i % 26))))];

        Task[] sends = [.. messages.Select(message => Task.Run(() => SendJsonAsync(socket, Encoding.ASCII.GetString(message)).AsTask()))];
        await Task.Delay(100); // the socket's send buffer fills: sends wait, and a frame may go out in several writes
        var received = new System.Collections.Generic.List<byte[]>();
        for (int i = 0; i < messages.Length; i++)
        {
            (byte opcode, byte[] payload) = await server.ReadFrameAsync();
            Assert.Equal(Text, opcode);
            received.Add(payload);
        }

        await Task.WhenAll(sends);
        Assert.Equal(
            messages.Select(Quoted).Select(Convert.ToBase64String).OrderBy(m => m, StringComparer.Ordinal),
            received.Select(Convert.ToBase64String).OrderBy(m => m, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_send_given_up_while_waiting_its_turn_never_lets_a_later_send_cut_in()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        string large = new('L', 16 * 1024 * 1024); // more than the loopback buffers hold: it waits until the server reads

        ValueTask first = SendJsonAsync(socket, large);
        Assert.False(first.IsCompleted);
        using var giveUp = new CancellationTokenSource();
        ValueTask second = socket.SendJsonAsync("second", JsonMetadataServices.CreateValueInfo<string>(JsonOptions, JsonMetadataServices.StringConverter), giveUp.Token);
        Assert.False(second.IsCompleted);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.AsTask());
        ValueTask third = SendJsonAsync(socket, "third"); // must wait for the first, not take the turn the second gave up

        (byte opcode, byte[] payload) = await server.ReadFrameAsync();
        Assert.Equal((Text, large.Length + 2), (opcode, payload.Length));
        Assert.Equal((Text, "\"third\""), Text8(await server.ReadFrameAsync()));
        await first;
        await third;
    }

    [Fact]
    public async Task Many_senders_at_once_some_giving_up_never_interleave_and_each_keeps_its_order()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();
        const int Senders = 8, Each = 150;
        var sent = new System.Collections.Concurrent.ConcurrentQueue<string>();

        Task[] senders = [.. Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (int i = 0; i < Each; i++)
            {
                string text = $"{sender}:{i}:" + new string('x', (i * 37) % 3000); // some fill the socket's buffer
                using var giveUp = new CancellationTokenSource();
                if (i % 7 == 3)
                {
                    giveUp.Cancel(); // given up before or while waiting: sent whole or not at all
                }

                try
                {
                    await socket.SendJsonAsync(text, JsonMetadataServices.CreateValueInfo<string>(JsonOptions, JsonMetadataServices.StringConverter), giveUp.Token);
                    sent.Enqueue(text);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }))];
        Task<System.Collections.Generic.List<string>> reading = Task.Run(async () =>
        {
            var received = new System.Collections.Generic.List<string>();
            while (true)
            {
                (byte opcode, byte[] payload) = await server.ReadFrameAsync();
                Assert.Equal(Text, opcode);
                string text = JsonSerializer.Deserialize(payload, JsonMetadataServices.CreateValueInfo<string>(JsonOptions, JsonMetadataServices.StringConverter))!;
                if (text == "end")
                {
                    return received;
                }

                received.Add(text);
            }
        });
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
        await SendJsonAsync(socket, "end"); // after every other send has returned: the last frame
        System.Collections.Generic.List<string> frames = await reading.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(sent.OrderBy(t => t, StringComparer.Ordinal), frames.OrderBy(t => t, StringComparer.Ordinal)); // each whole, none lost or made up
        foreach (IGrouping<string, int> sender in frames.GroupBy(t => t.Split(':')[0], t => int.Parse(t.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)))
        {
            Assert.Equal(sender.OrderBy(i => i), sender); // one sender's messages in the order it sent them
        }
    }

    [Fact]
    public async Task The_connection_ending_without_a_close_frame_is_an_error()
    {
        await using RawServer server = await RawServer.StartAsync();
        using SessionSocket socket = await server.ConnectAsync();

        await server.WriteAsync(Frame(Text, "last"u8));
        server.Drop();

        Assert.Equal((SocketMessageKind.Text, "last"), Text8(await ReceiveAsync(socket)));
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(socket));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
    }

    [Fact]
    public async Task Through_a_proxy_the_socket_asks_for_a_tunnel_with_the_proxys_credentials_and_works_through_it()
    {
        await using RawServer server = await RawServer.StartAsync();
        await using TunnelProxy proxy = TunnelProxy.Start(refuse: null);

        using SessionSocket socket = await server.ConnectAsync(new WebProxy(proxy.Url) { Credentials = new NetworkCredential("user", "secret") });
        await server.WriteAsync(Frame(Text, "through"u8));
        await SendJsonAsync(socket, "back");

        Assert.Equal((SocketMessageKind.Text, "through"), Text8(await ReceiveAsync(socket)));
        Assert.Equal((Text, "\"back\""), Text8(await server.ReadFrameAsync()));
        string request = await proxy.Request;
        Assert.StartsWith($"CONNECT 127.0.0.1:{server.Port} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Proxy-Authorization: Basic " + Convert.ToBase64String("user:secret"u8.ToArray()) + "\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_that_refuses_the_tunnel_is_a_clear_error()
    {
        await using RawServer server = await RawServer.StartAsync();
        await using TunnelProxy proxy = TunnelProxy.Start(refuse: "HTTP/1.1 407 Proxy Authentication Required");

        var error = await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync(new WebProxy(proxy.Url)));

        Assert.Equal($"The proxy did not open a tunnel to 127.0.0.1:{server.Port}: HTTP/1.1 407 Proxy Authentication Required", error.Message);
    }

    private static async Task<(SocketMessageKind Kind, byte[] Payload, bool TooLarge)> ReceiveAsync(SessionSocket socket, int maxMessageBytes = 1024 * 1024)
    {
        SocketMessage message = await ReceiveMessageAsync(socket, maxMessageBytes);
        return (message.Kind, message.TooLarge ? [] : message.Span.ToArray(), message.TooLarge);
    }

    /// <summary>The next message itself, its payload still in the socket's buffer (valid until the next receive).</summary>
    private static async Task<SocketMessage> ReceiveMessageAsync(SessionSocket socket, int maxMessageBytes = 1024 * 1024)
    {
        SocketMessage message;
        while (!socket.TryReceive(maxMessageBytes, out message))
        {
            await socket.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }

        return message;
    }

    private static (T, string) Text8<T>((T Kind, byte[] Payload, bool) message) => (message.Kind, Encoding.UTF8.GetString(message.Payload));

    private static (T, string) Text8<T>((T Kind, byte[] Payload) frame) => (frame.Kind, Encoding.UTF8.GetString(frame.Payload));

    private static byte[] Filled(int length, char c) => Enumerable.Repeat((byte)c, length).ToArray();

    /// <summary>An HTTP request's header, read a byte at a time up to its blank line (nothing after it is read).</summary>
    private static async Task<string> ReadHeaderAsync(Socket connection)
    {
        var header = new StringBuilder();
        byte[] one = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await connection.ReceiveAsync(one, SocketFlags.None));
            header.Append((char)one[0]);
        }

        return header.ToString();
    }

    /// <summary>A server's frame: unmasked unless <paramref name="mask"/> is given.</summary>
    private static byte[] Frame(byte opcode, ReadOnlySpan<byte> payload, bool fin = true, byte[]? mask = null)
    {
        byte maskBit = mask is null ? (byte)0 : (byte)0x80;
        byte[] header = payload.Length switch
        {
            <= 125 => [(byte)((fin ? 0x80 : 0) | opcode), (byte)(maskBit | payload.Length)],
            <= ushort.MaxValue => [(byte)((fin ? 0x80 : 0) | opcode), (byte)(maskBit | 126), (byte)(payload.Length >> 8), (byte)payload.Length],
            _ => [(byte)((fin ? 0x80 : 0) | opcode), (byte)(maskBit | 127), .. BitConverter.GetBytes((ulong)payload.Length).Reverse()],
        };
        byte[] body = payload.ToArray();
        if (mask is not null)
        {
            for (int i = 0; i < body.Length; i++)
            {
                body[i] ^= mask[i % 4];
            }

            return [.. header, .. mask, .. body];
        }

        return [.. header, .. body];
    }

    /// <summary>One connection's server side: the handshake, raw bytes out, and the client's frames read and unmasked.</summary>
    private sealed class RawServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly byte[] _afterHandshake;
        private Task<Socket>? _accepted;
        private Socket? _connection;

        private RawServer(TcpListener listener, byte[] afterHandshake)
        {
            _listener = listener;
            _afterHandshake = afterHandshake;
        }

        public static Task<RawServer> StartAsync(byte[]? afterHandshake = null)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var server = new RawServer(listener, afterHandshake ?? []);
            server._accepted = server.AcceptAsync();
            return Task.FromResult(server);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async Task<SessionSocket> ConnectAsync(IWebProxy? proxy = null)
        {
            var url = new Uri($"ws://127.0.0.1:{Port}/app-ws");
            SessionSocket socket = proxy is null
                ? await WebSocketConnector.ConnectAsync(url, CancellationToken.None)
                : await WebSocketConnector.ConnectAsync(url, validateServer: null, proxy, CancellationToken.None);
            _connection = await _accepted!.WaitAsync(TimeSpan.FromSeconds(5));
            return socket;
        }

        public async Task WriteAsync(byte[] bytes) => await _connection!.SendAsync(bytes, SocketFlags.None);

        public void Drop() => _connection!.Shutdown(SocketShutdown.Both);

        /// <summary>One frame from the client, which must be masked, as RFC 6455 requires of clients.</summary>
        public async Task<(byte Opcode, byte[] Payload)> ReadFrameAsync()
        {
            byte[] head = await ReadExactlyAsync(2);
            Assert.True((head[0] & 0x80) != 0, "the client's frame is final");
            Assert.True((head[1] & 0x80) != 0, "the client's frame is masked");
            long length = head[1] & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2));
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8));
            }

            byte[] mask = await ReadExactlyAsync(4);
            byte[] payload = await ReadExactlyAsync((int)length);
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i % 4];
            }

            return ((byte)(head[0] & 0x0F), payload);
        }

        public ValueTask DisposeAsync()
        {
            _connection?.Dispose();
            _listener.Stop();
            return ValueTask.CompletedTask;
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            byte[] bytes = new byte[count];
            int read = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (read < count)
            {
                int n = await _connection!.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, timeout.Token);
                Assert.NotEqual(0, n);
                read += n;
            }

            return bytes;
        }

        private async Task<Socket> AcceptAsync()
        {
            Socket connection = await _listener.AcceptSocketAsync();
            string request = await ReadHeaderAsync(connection);
            string key = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)).Split(':', 2)[1].Trim();
            string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n");
            await connection.SendAsync((byte[])[.. response, .. _afterHandshake], SocketFlags.None);
            return connection;
        }
    }

    /// <summary>An HTTP proxy that opens one CONNECT tunnel (or refuses it) and pipes bytes both ways.</summary>
    private sealed class TunnelProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();

        private TunnelProxy()
        {
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

        /// <summary>The request header the proxy received.</summary>
        public Task<string> Request => _request.Task.WaitAsync(TimeSpan.FromSeconds(5));

        public static TunnelProxy Start(string? refuse)
        {
            var proxy = new TunnelProxy();
            proxy._listener.Start();
            _ = proxy.RunAsync(refuse);
            return proxy;
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            return ValueTask.CompletedTask;
        }

        private async Task RunAsync(string? refuse)
        {
            using Socket client = await _listener.AcceptSocketAsync(_stop.Token);
            string header = await ReadHeaderAsync(client);
            _request.TrySetResult(header);
            if (refuse is not null)
            {
                await client.SendAsync(Encoding.ASCII.GetBytes(refuse + "\r\n\r\n"), SocketFlags.None);
                return;
            }

            string[] target = header.Split(' ')[1].Split(':');
            using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await upstream.ConnectAsync(target[0], int.Parse(target[1], System.Globalization.CultureInfo.InvariantCulture));
            await client.SendAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), SocketFlags.None);
            await Task.WhenAny(PipeAsync(client, upstream), PipeAsync(upstream, client), Task.Delay(Timeout.Infinite, _stop.Token));
        }

        private static async Task PipeAsync(Socket from, Socket to)
        {
            byte[] buffer = new byte[8192];
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
    }
}
