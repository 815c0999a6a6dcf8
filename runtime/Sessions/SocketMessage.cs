using System;

namespace Mentra.Generated.Sessions;

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
