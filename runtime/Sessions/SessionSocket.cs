using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>
/// The client side of a WebSocket (RFC 6455) as the app-session protocol uses it: no extension, no subprotocol. Written
/// here rather than taken from the framework so that a session costs little while idle and little per message:
/// <list type="bullet">
/// <item>Frames are read in place from one buffer, rented only while it holds unread bytes; an idle session waits with
/// a zero-byte read and holds no buffer, no pending read of the framework's and no cancellation registration.</item>
/// <item>On a plain socket, whatever has arrived is read with one non-blocking call and every whole frame in it is
/// handed out before the next wait, so a busy session reads many messages per system call.</item>
/// <item>Sends try the socket at once, without the framework's pending-send objects, and wait only when the socket's
/// send buffer is full.</item>
/// </list>
/// Reading is for one reader at a time (the session's receive loop); sends may come from anywhere and go one at a time.
/// Pings are handed to the reader, which answers them with <see cref="SendPongAsync"/>; pongs are ignored.
/// </summary>
internal sealed partial class SessionSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream? _tls;

    private int _state = (int)WebSocketState.Open;

    /// <param name="socket">The connected socket, after the opening handshake.</param>
    /// <param name="tls">The TLS stream over <paramref name="socket"/> for <c>wss</c>; null for <c>ws</c>.</param>
    /// <param name="leftover">Bytes read after the handshake's response header: the first frames.</param>
    public SessionSocket(Socket socket, Stream? tls, ReadOnlySpan<byte> leftover)
    {
        _socket = socket;
        _tls = tls;
        if (tls is null)
        {
            // Reads and writes are tried at once and return "would block" instead of waiting; waits are asynchronous.
            socket.Blocking = false;
        }

        if (!leftover.IsEmpty)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(BufferSize, leftover.Length));
            leftover.CopyTo(_buffer);
            _end = leftover.Length;
        }
    }

    public WebSocketState State => (WebSocketState)Volatile.Read(ref _state);

    /// <summary>The code of the close frame the server sent, if it sent one with a code.</summary>
    public int? CloseStatus { get; private set; }

    /// <summary>The reason of the close frame the server sent.</summary>
    public string? CloseStatusDescription { get; private set; }

    /// <summary>
    /// The next message, control frame or close, from the bytes already read and, on a plain socket, those that can be
    /// read without waiting; false when none is whole yet (then await <see cref="WaitAsync"/> and call again). A message's
    /// payload is valid until the next call. Throws <see cref="WebSocketException"/> on a protocol error or when the
    /// connection ends without a close frame.
    /// </summary>
    public bool TryReceive(int maxMessageBytes, out SocketMessage message)
    {
        if (_fragmentsHandedOut)
        {
            ArrayPool<byte>.Shared.Return(_fragments!);
            (_fragments, _fragmentsLength, _fragmentsHandedOut) = (null, 0, false);
        }

        while (true)
        {
            if (TryTakeFrame(maxMessageBytes, out message))
            {
                return true;
            }

            if (_tls is not null || _drained || !TryReadNow())
            {
                if (_buffer is not null && _start == _end)
                {
                    Release(); // nothing unread: an idle socket holds no buffer
                }

                return false;
            }
        }
    }

    /// <summary>
    /// Waits until more bytes can be read: a zero-byte read on a plain socket (no buffer held while waiting); for TLS,
    /// a read into the buffer.
    /// </summary>
    public ValueTask<int> WaitAsync(CancellationToken cancellationToken)
    {
        _drained = false;
        return _tls is null ? _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken) : ReadTlsAsync(_tls, cancellationToken);
    }

    /// <summary>Sends a payload already written as one text frame (a copy of it, masked).</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFrameAsync(Text, payload, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> as one text frame (everything an app sends is JSON), written by its generated
    /// metadata straight into a pooled buffer that becomes the frame: no array per message.
    /// </summary>
    public ValueTask SendJsonAsync<T>(T message, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        byte[] frame = JsonFrame.Write(message, typeInfo, out int offset, out int length);
        return SendPooledFrameAsync(Text, frame, offset, length, cancellationToken);
    }

    /// <summary>
    /// Sends one binary message made of <paramref name="prefix"/> then <paramref name="payload"/> (an audio output stream's
    /// id and audio), each copied once into the pooled frame.
    /// </summary>
    public ValueTask SendBinaryAsync(ReadOnlySpan<byte> prefix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        int length = prefix.Length + payload.Length;
        int header = HeaderLength(length);
        byte[] frame = System.Buffers.ArrayPool<byte>.Shared.Rent(header + length);
        prefix.CopyTo(frame.AsSpan(header));
        payload.Span.CopyTo(frame.AsSpan(header + prefix.Length));
        WriteHeader(frame, Binary, frame.AsSpan(header, length));
        return SendPooledFrameAsync(Binary, frame, 0, header + length, cancellationToken);
    }

    /// <summary>Answers a ping with its payload.</summary>
    public ValueTask SendPongAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFrameAsync(Pong, payload, cancellationToken);

    /// <summary>
    /// Sends the close frame with its code and reason (cut to the 123 bytes of UTF-8 a close frame allows); nothing can be
    /// sent after it.
    /// </summary>
    public ValueTask CloseOutputAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        while (Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason.Substring(0, char.IsLowSurrogate(reason[^1]) ? reason.Length - 2 : reason.Length - 1);
        }

        byte[] payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return SendFrameAsync(Close, payload, cancellationToken);
    }

    /// <summary>
    /// Gives the caller the pooled buffer that holds <paramref name="payload"/>, the last message's, to return to the
    /// shared pool when done with it: for a handler that still reads the message after the socket has read on. The socket
    /// goes on with its unread bytes in a buffer of its own.
    /// </summary>
    public byte[] Detach(ReadOnlyMemory<byte> payload)
    {
        if (!MemoryMarshal.TryGetArray(payload, out ArraySegment<byte> segment))
        {
            throw new InvalidOperationException("The payload is not in a buffer of this socket.");
        }

        if (ReferenceEquals(segment.Array, _fragments))
        {
            (_fragments, _fragmentsLength, _fragmentsHandedOut) = (null, 0, false);
            return segment.Array!;
        }

        if (!ReferenceEquals(segment.Array, _buffer) || _buffer is null)
        {
            throw new InvalidOperationException("The payload is not in a buffer of this socket.");
        }

        byte[] detached = _buffer;
        int unread = _end - _start;
        _buffer = unread == 0 ? null : ArrayPool<byte>.Shared.Rent(Math.Max(BufferSize, unread));
        detached.AsSpan(_start, unread).CopyTo(_buffer);
        (_start, _end) = (0, unread);
        return detached;
    }

    /// <summary>Ends the connection at once, without a close frame.</summary>
    public void Abort()
    {
        Volatile.Write(ref _state, (int)WebSocketState.Aborted);
        Dispose();
    }

    /// <summary>
    /// Closes the connection; a read waiting on it fails. The read buffer is left to the reader (which may be using it)
    /// and to the collector.
    /// </summary>
    public void Dispose()
    {
        if (State != WebSocketState.Aborted)
        {
            Volatile.Write(ref _state, (int)WebSocketState.Closed);
            try
            {
                // Graceful: what was sent (a close frame) goes out before the end of the connection; disposing a socket that
                // has a read pending would otherwise end it abruptly, and the peer could lose the close frame.
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        if (_tls is not null)
        {
            _tls.Dispose();
        }

        _socket.Dispose();
    }
}
