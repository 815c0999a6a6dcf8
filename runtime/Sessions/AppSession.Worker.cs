using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>The handlers' queue and its worker: messages reach the handlers one at a time, in order, and a slow handler delays only its session.</summary>
public sealed partial class AppSession : IHandlerFailures
{
    // The handlers' queue, made when first needed and dropped when empty; guarded by _handlersGate.
    private Queue<SessionWork>? _queue;
    private TaskCompletionSource? _room;
    private bool _workerRunning;
    private bool _queueClosed;

    /// <summary>Items queued for the worker or run by it and not finished; the receive loop runs handlers itself only at zero.</summary>
    private int _pendingWork;

    private readonly object _handlersGate = new();

    /// <summary>
    /// The handlers' worker: what the receive loop could not run itself, one item at a time, in order (a handler that did
    /// not finish at once, and the messages that came while it ran). It ends when the queue is empty, so that an idle
    /// session holds no waiting task and no queue; the next queued item starts it again.
    /// </summary>
    private async Task RunWorkerAsync()
    {
        OnWorker.Value = this; // an end that a handler of this worker starts does not wait for the worker
        while (true)
        {
            SessionWork work;
            SessionWork[]? left = null;
            lock (_handlersGate)
            {
                if (_queue is not { Count: > 0 } queue)
                {
                    _queue = null;
                    StopWorker();
                    return;
                }

                if (_queueClosed || _ended.IsCancellationRequested)
                {
                    // The session has ended (its token is cancelled before the queue closes, and a handler it stopped
                    // resumes this worker in between): what is still queued would run with a cancelled token on a session that
                    // can send nothing. It is dropped, and said once, with its count.
                    left = queue.ToArray();
                    _queue = null;
                }

                work = left is null ? queue.Dequeue() : default;
                if (_room is { } room && queue.Count <= _options.QueueLength / 2)
                {
                    _room = null;
                    room.TrySetResult();
                }
            }

            if (left is not null)
            {
                await DropAsync(left).ConfigureAwait(false);
                lock (_handlersGate)
                {
                    StopWorker();
                }

                return;
            }

            await RunOneAsync(work).ConfigureAwait(false);
        }
    }

    /// <summary>The worker has stopped: the end, if it waits, goes on. Under the handlers' gate.</summary>
    private void StopWorker()
    {
        _workerRunning = false;
        _workerStopped?.TrySetResult();
        _workerStopped = null;
    }

    /// <summary>Completes when the running worker stops; made only when the end waits for it.</summary>
    private TaskCompletionSource? _workerStopped;

    /// <summary>The session whose worker runs the current handler, if any.</summary>
    private static readonly AsyncLocal<AppSession?> OnWorker = new();

    /// <summary>How long the end waits for a running handler to stop, after cancelling its token.</summary>
    private static readonly TimeSpan HandlersStopTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// At the end, after the token is cancelled and the queue closed: waits (at most <see cref="HandlersStopTimeout"/>) for
    /// the running handler to return and the queue's rest to be dropped, so that the end handlers (the app's dispose among
    /// them) never run beside a message handler. Not when the end is started by a handler of this worker.
    /// </summary>
    private async Task WaitForWorkerAsync()
    {
        Task? stopped;
        lock (_handlersGate)
        {
            stopped = _workerRunning && !ReferenceEquals(OnWorker.Value, this)
                ? (_workerStopped ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
                : null;
        }

        if (stopped is not null)
        {
            try
            {
                await stopped.WaitAsync(HandlersStopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Log.HandlerDidNotStop(_logger, SessionId, HandlersStopTimeout.TotalSeconds);
            }
        }
    }

    /// <summary>
    /// The work still queued when the session ended: handlers already started are awaited (their buffers are returned
    /// after them); the rest is not run, and one line says how much.
    /// </summary>
    private async Task DropAsync(SessionWork[] left)
    {
        int dropped = 0;
        foreach (SessionWork work in left)
        {
            if (work.Pending is not null)
            {
                await RunOneAsync(work).ConfigureAwait(false);
                continue;
            }

            dropped++;
            Return(work.Audio?.Pooled);
            Interlocked.Decrement(ref _pendingWork);
            _options.Metrics?.SessionMessageSkipped("ended");
        }

        if (dropped > 0)
        {
            Log.NotHandledAtEnd(_logger, SessionId, dropped);
        }
    }

    /// <summary>One queued item: a handler the receive loop started (awaited here), or work not started yet.</summary>
    private async ValueTask RunOneAsync(SessionWork work)
    {
        if (work.Pending is { } pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                HandlerFailed(e, null);
            }
            finally
            {
                Return(work.ReturnAfter);
            }
        }
        else
        {
            await DoAsync(work).ConfigureAwait(false);
        }

        Interlocked.Decrement(ref _pendingWork);
    }

    /// <summary>Starts the worker unless it runs.</summary>
    private void WakeWorker()
    {
        lock (_handlersGate)
        {
            if (_workerRunning)
            {
                return;
            }

            _workerRunning = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static session => _ = session.RunWorkerAsync(), this, preferLocal: false);
    }

    /// <summary>
    /// Hands one item to the handlers, in order. When nothing waits, the receive loop runs the handlers itself, with no
    /// thread switch (most handlers finish at once); a handler that does not is awaited by the worker, and what follows
    /// waits in the queue behind it. When the queue is full the receive loop waits: nothing is dropped. Audio reaches the
    /// handlers in the socket's own buffer when they run at once; a handler still running keeps that buffer (the socket
    /// goes on in a new one), and audio queued behind other work is copied out of it.
    /// </summary>
    private async ValueTask DispatchAsync(SessionWork work, SessionSocket socket)
    {
        // Said before the queue is looked at (a full fence): work queued from outside the loop (a settings push) waits
        // until this run is over, or is seen here and goes first.
        Interlocked.Exchange(ref _runningInline, 1);
        if (Volatile.Read(ref _pendingWork) == 0)
        {
            ValueTask run = DoAsync(work);
            if (run.IsCompleted)
            {
                Volatile.Write(ref _runningInline, 0);
                return;
            }

            byte[]? keep = work.Audio is { Pooled: null } inSocket ? socket.Detach(inSocket.Memory) : null;
            Interlocked.Increment(ref _pendingWork);
            _ = Queue(new SessionWork(null, null, false, run.AsTask(), keep), limited: false); // the queue is empty: this handler goes first, and what came meanwhile waits behind it
            Volatile.Write(ref _runningInline, 0);
            WakeWorker();
            return;
        }

        Volatile.Write(ref _runningInline, 0);
        if (work.Audio is { Pooled: null } borrowed)
        {
            byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(borrowed.Memory.Length, 1));
            borrowed.Memory.CopyTo(copy);
            work = work with { Audio = new AudioChunk(copy.AsMemory(0, borrowed.Memory.Length), copy) };
        }

        Interlocked.Increment(ref _pendingWork);
        while (Queue(work, limited: true) is { } full)
        {
            Log.HandlersBehind(_logger, SessionId, work.Message?.Type ?? work.StreamType ?? "audio_chunk");
            WakeWorker();
            await full.ConfigureAwait(false);
        }

        WakeWorker();
    }

    /// <summary>Queues work for the worker, from the receive loop's own path (the ack's connected handlers, a reconnect).</summary>
    private void Enqueue(SessionWork work)
    {
        Interlocked.Increment(ref _pendingWork);
        Queue(work, limited: false);
        WakeWorker();
    }

    /// <summary>Whether the receive loop is running handlers itself (1), which work queued from another thread must not overtake.</summary>
    private int _runningInline;

    /// <summary>
    /// Queues work from a thread other than the receive loop's (a settings push over HTTP): it is counted first, so that
    /// the loop runs nothing more itself, then waits for a handler the loop is running itself to finish or to be queued
    /// (only the part that runs before its first wait), so that handlers still run one at a time, in order.
    /// </summary>
    private void EnqueueFromOutside(SessionWork work)
    {
        Interlocked.Increment(ref _pendingWork);
        SpinWait spin = default;
        while (Volatile.Read(ref _runningInline) != 0)
        {
            spin.SpinOnce();
        }

        Queue(work, limited: false);
        WakeWorker();
    }

    /// <summary>
    /// Adds <paramref name="work"/> to the queue; when the queue is full (and <paramref name="limited"/>), adds nothing and
    /// returns a task that completes when there is room again. Once the session has ended, work is dropped (its pooled
    /// audio returned).
    /// </summary>
    private Task? Queue(SessionWork work, bool limited)
    {
        lock (_handlersGate)
        {
            if (!_queueClosed)
            {
                Queue<SessionWork> queue = _queue ??= new Queue<SessionWork>();
                if (limited && queue.Count >= _options.QueueLength)
                {
                    return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }

                queue.Enqueue(work);
                return null;
            }
        }

        Interlocked.Decrement(ref _pendingWork);
        Return(work.Audio?.Pooled);
        Return(work.ReturnAfter);
        return null;
    }

    private static void Return(byte[]? pooled)
    {
        if (pooled is not null)
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>No more work is queued (the session has ended); the worker still runs what is queued, and a full queue's waiter goes on.</summary>
    private void CloseQueue()
    {
        lock (_handlersGate)
        {
            _queueClosed = true;
            _room?.TrySetResult();
            _room = null;
        }
    }

    /// <summary>Runs the handlers of one item; a handler's exception is logged and the session goes on.</summary>
    private async ValueTask DoAsync(SessionWork work)
    {
        try
        {
            if (work.Audio is { } audio)
            {
                try
                {
                    foreach (Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> handler in _routes.AudioHandlers())
                    {
                        await Invoke(handler(audio.Memory, _ended.Token), "audio_chunk").ConfigureAwait(false);
                    }
                }
                finally
                {
                    Return(audio.Pooled);
                }
            }
            else if (work.Connected)
            {
                foreach (Func<AppSession, CancellationToken, ValueTask> handler in ConnectedHandlers)
                {
                    await Invoke(handler(this, _ended.Token), "connected").ConfigureAwait(false);
                }
            }
            else if (work.Change is { } change)
            {
                await RunConnectionHandlersAsync(change).ConfigureAwait(false);
            }
            else if (work.Data is { } data)
            {
                await _routes.InvokeStreamAsync(work.StreamType!, data, this, _ended.Token).ConfigureAwait(false);
            }
            else if (work.Message is { } message)
            {
                await _routes.InvokeMessageAsync(message, this, _ended.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            HandlerFailed(e, null);
        }
    }

    /// <summary>Awaits one handler's result; an exception is logged, and the session goes on.</summary>
    private ValueTask Invoke(ValueTask handler, string what) => HandlerCall.Guard(handler, what, this);

    void IHandlerFailures.HandlerFailed(Exception exception, string? what) => HandlerFailed(exception, what);

    /// <summary>
    /// A handler's exception: an error, logged with the exception, unless the session's end caused it (a cancellation by
    /// the end's token, or a send after the end), which is what a handler running at the end is expected to see.
    /// </summary>
    private void HandlerFailed(Exception e, string? stream)
    {
        if (_ended.IsCancellationRequested && e is OperationCanceledException or AppSessionEndedException)
        {
            Log.HandlerStoppedByEnd(_logger, SessionId, stream ?? "(session)");
            return;
        }

        if (stream is null)
        {
            Log.SessionHandlerFailed(_logger, SessionId, e);
        }
        else
        {
            Log.StreamHandlerFailed(_logger, SessionId, stream, e);
        }

        _options.Metrics?.SessionHandlerFailed();
    }
}
