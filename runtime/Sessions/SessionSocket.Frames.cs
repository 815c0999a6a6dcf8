using System;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Mentra.Generated.Sessions;

/// <summary>The frame format of RFC 6455: opcodes, headers and their checks, masking; no state of the connection.</summary>
internal sealed partial class SessionSocket
{
    private const int BufferSize = 4096;
    private const int MaxHeaderLength = 14;
    private const byte Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

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

    private static SocketMessageKind Kind(byte opcode) => opcode == Binary ? SocketMessageKind.Binary : SocketMessageKind.Text;

    private static WebSocketException ProtocolError(string what) =>
        new(WebSocketError.Faulted, "The server broke the WebSocket protocol: " + what + ".");
}
