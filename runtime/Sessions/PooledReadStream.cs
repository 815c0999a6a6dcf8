using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>
/// Reads a socket's stream through a buffer rented only while it holds unread bytes: one read from the socket serves a
/// whole WebSocket frame (header and payload) instead of a read per part, and an idle session, waiting with a
/// zero-byte read, holds no buffer at all. Writes go straight through.
/// </summary>
internal sealed class PooledReadStream(Stream inner) : Stream
{
    private const int BufferSize = 4096;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_end > _start)
        {
            return new ValueTask<int>(Take(destination.Span));
        }

        // A zero-byte read waits for data without a buffer, and a large read needs none: both go straight to the socket,
        // with no state machine of this stream's own while they wait.
        return destination.Length == 0 || destination.Length >= BufferSize
            ? inner.ReadAsync(destination, cancellationToken)
            : FillAsync(destination, cancellationToken);
    }

    /// <summary>Rents the buffer, fills it with one read from the socket, and serves <paramref name="destination"/> from it.</summary>
    private async ValueTask<int> FillAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        int read;
        try
        {
            read = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release();
            throw;
        }

        _start = 0;
        _end = read;
        if (read == 0)
        {
            Release();
            return 0;
        }

        return Take(destination.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) => inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Release();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Take(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        if (_start == _end)
        {
            Release();
        }

        return count;
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
}
