using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>The I/O: the read buffer (rented only while it holds unread bytes), reads without waiting, waits, and sends one at a time.</summary>
internal sealed partial class SessionSocket
{
    // Sends go one at a time, in the order they came, under this object's monitor: _sendHeld while one is under way, and
    // the sends waiting for their turn, in order. An idle socket holds no lock object, and a send that need not wait
    // allocates nothing; only a send that waits has a completion of its own.
    private bool _sendHeld;
    private LinkedList<TaskCompletionSource>? _sendWaiters;

    // Unread bytes are _buffer[_start.._end); the buffer is rented while it holds some or a message handed out is in it.
    private byte[]? _buffer;
    private int _start;
    private int _end;

    // The last read did not fill the buffer, so the socket is most likely empty: the next need for bytes waits at once
    // instead of first asking the socket again (one system call less per wake-up).
    private bool _drained;

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

    private void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _start = _end = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ValueTask SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[] frame = ArrayPool<byte>.Shared.Rent(payload.Length + MaxHeaderLength);
        return SendPooledFrameAsync(opcode, frame, 0, WriteFrame(frame, opcode, payload.Span), cancellationToken);
    }

    /// <summary>Sends the frame <c>frame[offset..offset+length)</c> after every send before it, then returns the array to the shared pool.</summary>
    private async ValueTask SendPooledFrameAsync(byte opcode, byte[] frame, int offset, int length, CancellationToken cancellationToken)
    {
        try
        {
            await EnterSendAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                WebSocketState state = State;
                if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
                {
                    throw new WebSocketException(WebSocketError.InvalidState, $"The WebSocket cannot send in the state {state}.");
                }

                if (opcode == Close && Interlocked.CompareExchange(ref _state, (int)WebSocketState.CloseSent, (int)WebSocketState.Open) != (int)WebSocketState.Open)
                {
                    Interlocked.CompareExchange(ref _state, (int)WebSocketState.Closed, (int)WebSocketState.CloseReceived);
                }

                await WriteAsync(frame.AsMemory(offset, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ExitSend();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Takes the turn to send: at once when no send is under way, else after the sends that came before.</summary>
    private ValueTask EnterSendAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource> turn;
        lock (this)
        {
            if (!_sendHeld)
            {
                _sendHeld = true;
                return ValueTask.CompletedTask;
            }

            turn = (_sendWaiters ??= new()).AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return WaitForTurnAsync(turn, cancellationToken);
    }

    private async ValueTask WaitForTurnAsync(LinkedListNode<TaskCompletionSource> turn, CancellationToken cancellationToken)
    {
        try
        {
            await turn.Value.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (this)
            {
                if (turn.List is not null)
                {
                    _sendWaiters!.Remove(turn); // given up before its turn: the sends after it keep their order
                    throw;
                }
            }

            ExitSend(); // the turn came as the wait was given up: pass it on
            throw;
        }
    }

    /// <summary>Ends this send's turn: the next waiting send takes it, else the socket is free.</summary>
    private void ExitSend()
    {
        TaskCompletionSource? next = null;
        lock (this)
        {
            if (_sendWaiters?.First is { } first)
            {
                _sendWaiters.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _sendHeld = false;
            }
        }

        next?.TrySetResult();
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
}
