using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Mentra.Generated;

/// <summary>
/// A request body read whole, up to a limit, straight from the request's pipe: the bytes stay in the pipe's own pooled
/// buffers (no copy, nothing rented) until <see cref="Dispose"/> lets the pipe have them back. Only a body that arrived
/// in several segments is copied, into one pooled array, so that it can be read as one span.
/// </summary>
internal readonly struct WebhookBody : IDisposable
{
    private readonly PipeReader? _reader;
    private readonly ReadOnlySequence<byte> _buffer;
    private readonly byte[]? _joined;

    private WebhookBody(PipeReader? reader, ReadOnlySequence<byte> buffer, bool isTooLarge)
    {
        _reader = reader;
        _buffer = buffer;
        IsTooLarge = isTooLarge;
        if (!isTooLarge && !buffer.IsSingleSegment)
        {
            _joined = ArrayPool<byte>.Shared.Rent((int)buffer.Length);
            buffer.CopyTo(_joined);
        }
    }

    /// <summary>Whether the body is larger than the limit; then it holds no bytes.</summary>
    public bool IsTooLarge { get; }

    /// <summary>The body's bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span => _joined is { } joined ? joined.AsSpan(0, (int)_buffer.Length) : _buffer.FirstSpan;

    /// <summary>
    /// Reads the whole body, or stops as soon as it is larger than <paramref name="limit"/> bytes (whether it says so
    /// in its <c>Content-Length</c> or not). Throws what the pipe throws when the client goes away.
    /// </summary>
    public static async ValueTask<WebhookBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        PipeReader reader = request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return new WebhookBody(null, default, isTooLarge: true); // the server's own limit, set from ours
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return new WebhookBody(null, default, isTooLarge: true);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return new WebhookBody(reader, buffer, isTooLarge: false);
            }

            reader.AdvanceTo(buffer.Start, buffer.End); // nothing consumed, everything examined: wait for more
        }
    }

    /// <summary>Gives the bytes back: the pipe's buffers to the pipe, a joined copy to the pool.</summary>
    public void Dispose()
    {
        if (_joined is not null)
        {
            ArrayPool<byte>.Shared.Return(_joined);
        }

        _reader?.AdvanceTo(_buffer.End);
    }
}
