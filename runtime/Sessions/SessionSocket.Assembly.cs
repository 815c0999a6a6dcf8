using System;
using System.Buffers;
using System.Buffers.Binary;

namespace Mentra.Generated.Sessions;

/// <summary>Message assembly: frames from the unread bytes become messages; control frames, fragments and messages over the limit are dealt with here.</summary>
internal sealed partial class SessionSocket
{
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
}
