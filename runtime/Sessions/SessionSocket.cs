using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
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
internal sealed class SessionSocket : IDisposable
{
    private const int BufferSize = 4096;
    private const int MaxHeaderLength = 14;
    private const byte Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    private readonly Socket _socket;
    private readonly Stream? _tls;

    // Sends go one at a time, each after the one before: this is the last send's completion, null once it is done (an idle
    // socket holds no lock object; a send that has to wait waits on the one before it).
    private Task? _lastSend;

    // Unread bytes are _buffer[_start.._end); the buffer is rented while it holds some or a message handed out is in it.
    private byte[]? _buffer;
    private int _start;
    private int _end;

    // A message sent in fragments, put together here (rare: the cloud sends each message as one frame).
    private byte[]? _fragments;
    private int _fragmentsLength;
    private bool _fragmentsHandedOut;
    private byte _messageOpcode;
    private bool _inMessage;

    // A message over the limit: its payload is skipped as it arrives, and the reader is told once it has ended.
    private bool _discarding;
    private long _skip;
    private bool _skipEndsMessage;
    private long _discardedLength;

    private int _state = (int)WebSocketState.Open;

    // The last read did not fill the buffer, so the socket is most likely empty: the next need for bytes waits at once
    // instead of first asking the socket again (one system call less per wake-up).
    private bool _drained;

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

    /// <summary>Sends one whole text message as one frame (everything an app sends is JSON).</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFrameAsync(Text, payload, cancellationToken);

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

    /// <summary>One frame from the unread bytes, if it is whole; control frames and skipped payloads are dealt with here.</summary>
    private bool TryTakeFrame(int maxMessageBytes, out SocketMessage message)
    {
        while (true)
        {
            message = default;
            int available = _end - _start;
            if (_skip > 0)
            {
                int skipped = (int)Math.Min(_skip, available);
                _start += skipped;
                _skip -= skipped;
                if (_skip > 0)
                {
                    return false;
                }

                if (_skipEndsMessage)
                {
                    message = SocketMessage.Skipped(Kind(_messageOpcode), _discardedLength);
                    (_discarding, _inMessage, _discardedLength, _skipEndsMessage) = (false, false, 0, false);
                    return true;
                }

                continue;
            }

            if (available < 2)
            {
                return false;
            }

            Span<byte> bytes = _buffer.AsSpan(_start, available);
            bool fin = (bytes[0] & 0x80) != 0;
            byte opcode = (byte)(bytes[0] & 0x0F);
            bool masked = (bytes[1] & 0x80) != 0;
            long length = bytes[1] & 0x7F;
            int headerLength = 2;
            if (length == 126)
            {
                headerLength = 4;
                if (available < headerLength)
                {
                    return false;
                }

                length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(2));
            }
            else if (length == 127)
            {
                headerLength = 10;
                if (available < headerLength)
                {
                    return false;
                }

                ulong longLength = BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(2));
                length = longLength <= long.MaxValue ? (long)longLength : throw ProtocolError("a frame length over 2^63");
            }

            if (masked)
            {
                headerLength += 4;
            }

            if (available < headerLength)
            {
                return false;
            }

            CheckHeader(bytes[0], opcode, fin, length);
            if (opcode < Close && (_discarding || (opcode == Continuation ? _fragmentsLength : 0) + length > maxMessageBytes))
            {
                // Over the limit: skip this frame's payload (and the rest of its message) without keeping it.
                if (opcode != Continuation)
                {
                    _messageOpcode = opcode;
                    _discardedLength = 0;
                }
                else if (!_discarding)
                {
                    _discardedLength = _fragmentsLength;
                    ArrayPool<byte>.Shared.Return(_fragments!);
                    (_fragments, _fragmentsLength) = (null, 0);
                }

                _discarding = true;
                _inMessage = !fin;
                _discardedLength += length;
                _start += headerLength;
                _skip = length;
                _skipEndsMessage = fin;
                if (length == 0 && fin)
                {
                    _skip = 0;
                    message = SocketMessage.Skipped(Kind(_messageOpcode), _discardedLength);
                    (_discarding, _inMessage, _discardedLength, _skipEndsMessage) = (false, false, 0, false);
                    return true;
                }

                continue;
            }

            if (available < headerLength + length)
            {
                return false; // the reader makes room for the whole frame (see TryReadNow)
            }

            int payloadStart = _start + headerLength;
            Span<byte> payload = _buffer.AsSpan(payloadStart, (int)length);
            if (masked)
            {
                // A server must not mask its frames; be tolerant and unmask rather than drop the connection.
                Mask(payload, bytes.Slice(headerLength - 4, 4));
            }

            _start = payloadStart + (int)length;
            switch (opcode)
            {
                case Close:
                    ReadClose(payload);
                    message = SocketMessage.Closing;
                    return true;
                case Ping:
                    message = new SocketMessage(SocketMessageKind.Ping, _buffer!, payloadStart, (int)length);
                    return true;
                case Pong:
                    continue;
                case Continuation:
                    Append(payload);
                    if (!fin)
                    {
                        continue;
                    }

                    _inMessage = false;
                    _fragmentsHandedOut = true;
                    message = new SocketMessage(Kind(_messageOpcode), _fragments!, 0, _fragmentsLength);
                    return true;
                default:
                    if (!fin)
                    {
                        _messageOpcode = opcode;
                        _inMessage = true;
                        Append(payload);
                        continue;
                    }

                    message = new SocketMessage(Kind(opcode), _buffer!, payloadStart, (int)length);
                    return true;
            }
        }
    }

    private void CheckHeader(byte first, byte opcode, bool fin, long length)
    {
        if ((first & 0x70) != 0)
        {
            throw ProtocolError("reserved bits are set, but no extension was negotiated");
        }

        switch (opcode)
        {
            case Close or Ping or Pong:
                if (!fin || length > 125)
                {
                    throw ProtocolError("a control frame must be one frame of at most 125 bytes");
                }

                break;
            case Continuation:
                if (!_inMessage)
                {
                    throw ProtocolError("a continuation frame without a message to continue");
                }

                break;
            case Text or Binary:
                if (_inMessage)
                {
                    throw ProtocolError("a new message inside a fragmented one");
                }

                break;
            default:
                throw ProtocolError($"unknown opcode {opcode}");
        }
    }

    private void ReadClose(ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 2)
        {
            CloseStatus = BinaryPrimitives.ReadUInt16BigEndian(payload);
            CloseStatusDescription = Encoding.UTF8.GetString(payload.Slice(2));
        }

        if (Interlocked.CompareExchange(ref _state, (int)WebSocketState.CloseReceived, (int)WebSocketState.Open) != (int)WebSocketState.Open)
        {
            Interlocked.CompareExchange(ref _state, (int)WebSocketState.Closed, (int)WebSocketState.CloseSent);
        }
    }

    private void Append(ReadOnlySpan<byte> payload)
    {
        int needed = _fragmentsLength + payload.Length;
        if (_fragments is null || needed > _fragments.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, BufferSize));
            if (_fragments is not null)
            {
                _fragments.AsSpan(0, _fragmentsLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_fragments);
            }

            _fragments = larger;
        }

        payload.CopyTo(_fragments.AsSpan(_fragmentsLength));
        _fragmentsLength = needed;
    }

    /// <summary>
    /// Reads what has arrived without waiting, after making room for the frame in progress (moving it to the buffer's
    /// start, or a larger buffer for a frame larger than this one); false when nothing has arrived.
    /// </summary>
    private bool TryReadNow()
    {
        MakeRoom();
        Span<byte> free = _buffer.AsSpan(_end);
        int read = _socket.Receive(free, SocketFlags.None, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            return false;
        }

        if (error != SocketError.Success)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, new SocketException((int)error));
        }

        if (read == 0)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The connection ended without a close frame.");
        }

        _end += read;
        _drained = read < free.Length;
        return true;
    }

    private async ValueTask<int> ReadTlsAsync(Stream tls, CancellationToken cancellationToken)
    {
        if (_buffer is null)
        {
            // Idle: wait without a buffer (SslStream supports zero-byte reads and then holds none of its own either).
            await tls.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }

        MakeRoom();
        int read = await tls.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The connection ended without a close frame.");
        }

        _end += read;
        return read;
    }

    private void MakeRoom()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            _start = _end = 0;
            return;
        }

        if (_start == _end)
        {
            _start = _end = 0;
            return;
        }

        int needed = Math.Max(FrameLength(), _end - _start + 1);
        if (_start + needed <= _buffer.Length && _end < _buffer.Length)
        {
            return;
        }

        byte[] target = needed <= _buffer.Length ? _buffer : ArrayPool<byte>.Shared.Rent(needed);
        _buffer.AsSpan(_start, _end - _start).CopyTo(target);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _end -= _start;
        _start = 0;
    }

    /// <summary>The whole length of the frame that starts at <c>_start</c>, as far as its header tells (a skipped payload needs no room).</summary>
    private int FrameLength()
    {
        ReadOnlySpan<byte> bytes = _buffer.AsSpan(_start, _end - _start);
        if (_skip > 0 || _discarding || bytes.Length < 2)
        {
            return MaxHeaderLength;
        }

        int mask = (bytes[1] & 0x80) != 0 ? 4 : 0;
        long length = bytes[1] & 0x7F;
        return length switch
        {
            126 when bytes.Length >= 4 => 4 + mask + BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(2)),
            127 when bytes.Length >= 10 => (int)Math.Min(int.MaxValue - 64, 10 + mask + (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(2)), int.MaxValue)),
            126 or 127 => MaxHeaderLength,
            _ => 2 + mask + (int)length,
        };
    }

    private async ValueTask SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[] frame = ArrayPool<byte>.Shared.Rent(payload.Length + MaxHeaderLength);
        try
        {
            int length = WriteFrame(frame, opcode, payload.Span);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task? previous = Interlocked.Exchange(ref _lastSend, done.Task);
            try
            {
                if (previous is { IsCompleted: false })
                {
                    await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                WebSocketState state = State;
                if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
                {
                    throw new WebSocketException(WebSocketError.InvalidState, $"The WebSocket cannot send in the state {state}.");
                }

                if (opcode == Close && Interlocked.CompareExchange(ref _state, (int)WebSocketState.CloseSent, (int)WebSocketState.Open) != (int)WebSocketState.Open)
                {
                    Interlocked.CompareExchange(ref _state, (int)WebSocketState.Closed, (int)WebSocketState.CloseReceived);
                }

                await WriteAsync(frame.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The next send may start once this one is over, and not before the one this one waited for (which may still
                // run when this one gave up waiting).
                if (previous is null || previous.IsCompleted)
                {
                    done.TrySetResult();
                }
                else
                {
                    _ = previous.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).TrySetResult(), done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                _ = Interlocked.CompareExchange(ref _lastSend, null, done.Task);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Writes the frame's header, a fresh masking key (clients always mask) and the masked payload.</summary>
    private static int WriteFrame(Span<byte> frame, byte opcode, ReadOnlySpan<byte> payload)
    {
        frame[0] = (byte)(0x80 | opcode);
        int header;
        if (payload.Length <= 125)
        {
            frame[1] = (byte)(0x80 | payload.Length);
            header = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(2), (ushort)payload.Length);
            header = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.Slice(2), (ulong)payload.Length);
            header = 10;
        }

        Span<byte> key = frame.Slice(header, 4);
        RandomNumberGenerator.Fill(key);
        Span<byte> masked = frame.Slice(header + 4, payload.Length);
        payload.CopyTo(masked);
        Mask(masked, key);
        return header + 4 + payload.Length;
    }

    /// <summary>XORs <paramref name="data"/> with the repeated four-byte <paramref name="key"/> (masking and unmasking alike).</summary>
    private static void Mask(Span<byte> data, ReadOnlySpan<byte> key)
    {
        uint word = MemoryMarshal.Read<uint>(key);
        int whole = data.Length / 4;
        Span<uint> words = MemoryMarshal.Cast<byte, uint>(data.Slice(0, whole * 4));
        for (int i = 0; i < words.Length; i++)
        {
            words[i] ^= word;
        }

        for (int i = whole * 4; i < data.Length; i++)
        {
            data[i] ^= key[i & 3];
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!bytes.IsEmpty)
        {
            int sent = _socket.Send(bytes.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                // The send buffer is full: wait for the socket (this creates the framework's pending-send object, once).
                sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            else if (error != SocketError.Success)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, new SocketException((int)error));
            }

            bytes = bytes.Slice(sent);
        }
    }

    private void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _start = _end = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static SocketMessageKind Kind(byte opcode) => opcode == Binary ? SocketMessageKind.Binary : SocketMessageKind.Text;

    private static WebSocketException ProtocolError(string what) =>
        new(WebSocketError.Faulted, "The server broke the WebSocket protocol: " + what + ".");
}

/// <summary>What a frame (or the frames of one message) turned out to be.</summary>
internal enum SocketMessageKind
{
    Text,
    Binary,
    Close,
    Ping,
}

/// <summary>
/// What <see cref="SessionSocket.TryReceive"/> gives: a text or binary message (its payload, valid until the next call),
/// a ping to answer with its payload, the server's close frame, or a message skipped for its size.
/// </summary>
internal readonly struct SocketMessage(SocketMessageKind kind, byte[]? buffer, int offset, int length, bool tooLarge = false)
{
    public static SocketMessage Closing => new(SocketMessageKind.Close, null, 0, 0);

    public static SocketMessage Skipped(SocketMessageKind kind, long length) => new(kind, null, 0, (int)Math.Min(length, int.MaxValue), tooLarge: true);

    public SocketMessageKind Kind => kind;

    /// <summary>A message over the size limit: read to its end and dropped; <see cref="Length"/> says how long it was.</summary>
    public bool TooLarge => tooLarge;

    public int Length => length;

    public ReadOnlySpan<byte> Span => buffer.AsSpan(offset, length);

    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(offset, length);
}
