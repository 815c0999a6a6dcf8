using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
        int header = HeaderLength(payload.Length);
        Span<byte> masked = frame.Slice(header, payload.Length);
        payload.CopyTo(masked);
        WriteHeader(frame, opcode, masked);
        return header + payload.Length;
    }

    /// <summary>The length of the header, masking key included, of a frame of <paramref name="payloadLength"/> bytes.</summary>
    private static int HeaderLength(int payloadLength) => payloadLength <= 125 ? 6 : payloadLength <= ushort.MaxValue ? 8 : MaxHeaderLength;

    /// <summary>
    /// Writes at the start of <paramref name="frame"/> the header of a frame whose payload, <paramref name="payload"/>, follows
    /// it there (<see cref="HeaderLength"/> bytes in), with a fresh masking key (clients always mask), and masks the payload in place.
    /// </summary>
    private static void WriteHeader(Span<byte> frame, byte opcode, Span<byte> payload)
    {
        frame[0] = (byte)(0x80 | opcode);
        int length;
        if (payload.Length <= 125)
        {
            frame[1] = (byte)(0x80 | payload.Length);
            length = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(2), (ushort)payload.Length);
            length = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.Slice(2), (ulong)payload.Length);
            length = 10;
        }

        Span<byte> key = frame.Slice(length, 4);
        RandomNumberGenerator.Fill(key);
        Mask(payload, key);
    }

    /// <summary>
    /// A JSON message written straight into the frame that carries it: the payload goes in after room for the largest
    /// header, in an array rented from the shared pool (grown by renting a larger one), and once it is whole the header goes
    /// just before it and the payload is masked in place. No copy of the message, and no array of its own.
    /// </summary>
    private sealed class JsonFrame : IBufferWriter<byte>
    {
        // One per thread, with its writer, as System.Text.Json keeps its own: writing a message never waits, so the thread
        // that starts one finishes it before it can start another.
        [ThreadStatic]
        private static JsonFrame? t_cached;

        private readonly Utf8JsonWriter _writer;
        private readonly JsonSerializerOptions _options;
        private byte[] _array = [];
        private int _written;

        private JsonFrame(JsonSerializerOptions options)
        {
            _options = options;
            _writer = new Utf8JsonWriter(this, new JsonWriterOptions
            {
                Encoder = options.Encoder,
                Indented = options.WriteIndented,
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            });
        }

        /// <summary>
        /// <paramref name="value"/> as a text frame, header and masked payload, in an array rented from the shared pool for the
        /// caller to return: the frame is <c>array[offset..offset+length)</c>.
        /// </summary>
        public static byte[] Write<T>(T value, JsonTypeInfo<T> typeInfo, out int offset, out int length)
        {
            JsonFrame frame = t_cached is { } cached && ReferenceEquals(cached._options, typeInfo.Options) ? cached : t_cached = new JsonFrame(typeInfo.Options);
            frame._array = ArrayPool<byte>.Shared.Rent(1024);
            frame._written = MaxHeaderLength;
            try
            {
                frame._writer.Reset(frame);
                JsonSerializer.Serialize(frame._writer, value, typeInfo);
                frame._writer.Flush();
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(frame._array);
                frame._array = [];
                throw;
            }

            byte[] array = frame._array;
            frame._array = [];
            int payload = frame._written - MaxHeaderLength;
            offset = MaxHeaderLength - HeaderLength(payload);
            length = frame._written - offset;
            WriteHeader(array.AsSpan(offset), Text, array.AsSpan(MaxHeaderLength, payload));
            return array;
        }

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            MakeRoom(sizeHint);
            return _array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            MakeRoom(sizeHint);
            return _array.AsSpan(_written);
        }

        /// <summary>Makes room for at least <paramref name="sizeHint"/> more bytes (one at least), in a larger array if need be.</summary>
        private void MakeRoom(int sizeHint)
        {
            int needed = _written + Math.Max(sizeHint, 1);
            if (needed > _array.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
                _array.AsSpan(0, _written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }
        }
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
