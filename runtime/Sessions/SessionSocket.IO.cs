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
    // Sends go one at a time, in the order they came. _sendState: 0 free, 1 one send under way, 2 under way with sends
    // waiting in _sendWaiters, a list that exists only while some wait and whose monitor guards it. A send that need not
    // wait takes and gives the turn with one atomic operation each and allocates nothing; an idle socket holds no lock
    // object and no list (a lock taken on the socket itself would keep what the runtime allocates for a contended monitor
    // as long as the socket lives).
    private int _sendState;
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
    private ValueTask EnterSendAsync(CancellationToken cancellationToken) =>
        Interlocked.CompareExchange(ref _sendState, 1, 0) == 0 ? ValueTask.CompletedTask : WaitForTurnAsync(cancellationToken);

    private async ValueTask WaitForTurnAsync(CancellationToken cancellationToken)
    {
        LinkedList<TaskCompletionSource> waiters;
        LinkedListNode<TaskCompletionSource> turn;
        while (true)
        {
            waiters = Volatile.Read(ref _sendWaiters) ?? Interlocked.CompareExchange(ref _sendWaiters, new(), null) ?? Volatile.Read(ref _sendWaiters)!;
            lock (waiters)
            {
                if (!ReferenceEquals(waiters, Volatile.Read(ref _sendWaiters)))
                {
                    continue; // the list was dropped meanwhile (nobody waited): take the current one
                }

                if (TakeOrQueue())
                {
                    return; // the send under way ended meanwhile
                }

                turn = waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                break;
            }
        }

        try
        {
            await turn.Value.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (waiters)
            {
                if (turn.List is not null)
                {
                    waiters.Remove(turn); // given up before its turn: the sends after it keep their order
                    throw;
                }
            }

            ExitSend(); // the turn came as the wait was given up: pass it on
            throw;
        }
    }

    /// <summary>
    /// Under the waiters' monitor: takes the turn if it is free (true), else marks that sends wait, so that the send under
    /// way hands the turn on instead of freeing it (false).
    /// </summary>
    private bool TakeOrQueue()
    {
        while (true)
        {
            if (Interlocked.CompareExchange(ref _sendState, 1, 0) == 0)
            {
                return true;
            }

            if (Interlocked.CompareExchange(ref _sendState, 2, 1) is 1 or 2)
            {
                return false;
            }
        }
    }

    /// <summary>Ends this send's turn: the next waiting send takes it, else the socket is free.</summary>
    private void ExitSend()
    {
        if (Interlocked.CompareExchange(ref _sendState, 0, 1) == 1)
        {
            return; // nobody waits
        }

        LinkedList<TaskCompletionSource> waiters = Volatile.Read(ref _sendWaiters)!; // made before the state said "waiting"
        TaskCompletionSource? next = null;
        lock (waiters)
        {
            if (waiters.First is { } first)
            {
                waiters.RemoveFirst();
                next = first.Value;
            }

            if (waiters.Count == 0)
            {
                // The turn goes to the one taken (1), or nobody waits any more (0); the list goes, and a send that waits
                // later makes a new one.
                Volatile.Write(ref _sendState, next is null ? 0 : 1);
                Volatile.Write(ref _sendWaiters, null);
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
