using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>
/// The handlers of one session and the subscriptions they imply. Stream data is routed by exact <c>streamType</c> first
/// (the newest cloud echoes the app's own subscription string), then by the stream without its <c>?options</c>, so
/// that a cloud that drops or rewrites the options still reaches the handler. Thread-safe: copy-on-write.
/// </summary>
internal sealed class SessionRoutes
{
    private readonly object _gate = new();
    private Route[] _streams = [];
    private Route[] _messages = [];
    private Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>[] _audio = [];
    private Subscription[] _extra = [];
    private Subscription[] _declared = [];

    /// <summary>Raised (outside the lock) when the set of subscriptions changes.</summary>
    public event Action? Changed;

    public bool WantsAudio => Volatile.Read(ref _audio).Length > 0;

    /// <summary>The full set the cloud must hold: declared at compile time, implied by handlers, and added at run time; no duplicates.</summary>
    public IReadOnlyList<Subscription> Subscriptions()
    {
        var result = new List<Subscription>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(Subscription subscription)
        {
            if (seen.Add(Key(subscription)))
            {
                result.Add(subscription);
            }
        }

        foreach (Subscription s in Volatile.Read(ref _declared))
        {
            Add(s);
        }

        foreach (Route route in Volatile.Read(ref _streams))
        {
            Add(route.Subscription!);
        }

        if (WantsAudio)
        {
            Add("audio_chunk");
        }

        foreach (Subscription s in Volatile.Read(ref _extra))
        {
            Add(s);
        }

        return result;
    }

    public void Declare(IEnumerable<Subscription> subscriptions) => Update(ref _declared, _ => [.. subscriptions]);

    public IDisposable Subscribe(Subscription subscription)
    {
        Update(ref _extra, array => [.. array, subscription]);
        return new Registration(() => Update(ref _extra, array => Without(array, subscription)));
    }

    public IDisposable OnStream<TData>(Subscription subscription, Func<TData, CancellationToken, ValueTask> handler)
        where TData : StreamData
    {
        var route = new Route<TData>(subscription, Key(subscription), handler);
        Update(ref _streams, array => [.. array, route]);
        return new Registration(() => Update(ref _streams, array => Without(array, route)));
    }

    public IDisposable OnMessage<TMessage>(Func<TMessage, CancellationToken, ValueTask> handler)
        where TMessage : CloudMessage
    {
        var route = new Route<TMessage>(null, typeof(TMessage).Name, handler);
        Update(ref _messages, array => [.. array, route], notify: false);
        return new Registration(() => Update(ref _messages, array => Without(array, route), notify: false));
    }

    public IDisposable OnAudio(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> handler)
    {
        Update(ref _audio, array => [.. array, handler]);
        return new Registration(() => Update(ref _audio, array => Without(array, handler)));
    }

    /// <summary>
    /// Calls the handlers for a <c>data_stream</c> of <paramref name="streamType"/>, one after another: those registered for
    /// exactly that stream, or else those whose stream matches it without options. No allocation on the way, and no
    /// state machine while every handler finishes at once (the common case, on the receive loop's hot path).
    /// </summary>
    public ValueTask InvokeStreamAsync(string streamType, object data, IHandlerFailures failures, CancellationToken cancellationToken)
    {
        Route[] routes = Volatile.Read(ref _streams);
        bool exact = false;
        for (int i = 0; i < routes.Length && !exact; i++)
        {
            exact = string.Equals(routes[i].Key, streamType, StringComparison.Ordinal);
        }

        // An exact handler exists: only exact ones run (loose is null); else those that match without options.
        return InvokeStreamFrom(routes, 0, streamType, exact ? null : Loose(streamType), data, failures, cancellationToken);
    }

    /// <summary>
    /// The stream's handlers from <paramref name="start"/> on: exactly <paramref name="streamType"/>'s, or with
    /// <paramref name="loose"/> those whose stream matches it without options; awaits only a handler that has not finished.
    /// </summary>
    private static ValueTask InvokeStreamFrom(Route[] routes, int start, string streamType, string? loose, object data, IHandlerFailures failures, CancellationToken cancellationToken)
    {
        for (int i = start; i < routes.Length; i++)
        {
            bool matches = loose is null
                ? string.Equals(routes[i].Key, streamType, StringComparison.Ordinal)
                : string.Equals(Loose(routes[i].Key), loose, StringComparison.Ordinal);
            if (matches)
            {
                ValueTask run = HandlerCall.Guard(routes[i].Invoke(data, cancellationToken), streamType, failures);
                if (!run.IsCompletedSuccessfully)
                {
                    return ThenFrom(run, routes, i + 1, streamType, loose, data, failures, cancellationToken);
                }
            }
        }

        return default;

        static async ValueTask ThenFrom(ValueTask run, Route[] routes, int next, string streamType, string? loose, object data, IHandlerFailures failures, CancellationToken cancellationToken)
        {
            await run.ConfigureAwait(false);
            await InvokeStreamFrom(routes, next, streamType, loose, data, failures, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Calls every handler of cloud messages with <paramref name="message"/>, in registration order.</summary>
    public async ValueTask InvokeMessageAsync(CloudMessage message, IHandlerFailures failures, CancellationToken cancellationToken)
    {
        Route[] routes = Volatile.Read(ref _messages);
        for (int i = 0; i < routes.Length; i++)
        {
            await HandlerCall.Guard(routes[i].Invoke(message, cancellationToken), message.Type, failures).ConfigureAwait(false);
        }
    }

    public Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>[] AudioHandlers() => Volatile.Read(ref _audio);

    /// <summary>
    /// The stream a subscription's data arrives as: its string, or <c>location_update</c> for the location object (the
    /// cloud treats a <c>location_stream</c> subscriber as a <c>location_update</c> one).
    /// </summary>
    internal static string Key(Subscription subscription) => subscription.Stream ?? "location_update";

    /// <summary>
    /// A stream without its <c>?options</c>; bare <c>transcription</c> is the <c>transcription:en-US</c> the cloud turns it into.
    /// </summary>
    internal static string Loose(string stream)
    {
        int query = stream.IndexOf('?', StringComparison.Ordinal);
        string bare = query < 0 ? stream : stream.Substring(0, query);
        return bare == "transcription" ? "transcription:en-US" : bare;
    }

    private void Update<T>(ref T[] field, Func<T[], T[]> change, bool notify = true)
    {
        lock (_gate)
        {
            Volatile.Write(ref field, change(field));
        }

        if (notify)
        {
            Changed?.Invoke();
        }
    }

    private static T[] Without<T>(T[] array, T item)
    {
        int index = Array.IndexOf(array, item);
        return index < 0 ? array : [.. array.Take(index), .. array.Skip(index + 1)];
    }

    /// <summary>One handler; compared by reference, so that removing it removes exactly it.</summary>
    private abstract class Route(Subscription? subscription, string key)
    {
        public Subscription? Subscription { get; } = subscription;

        public string Key { get; } = key;

        /// <summary>Calls the handler with <paramref name="value"/> if it is of the handler's type.</summary>
        public abstract ValueTask Invoke(object value, CancellationToken cancellationToken);
    }

    /// <summary>A handler of <typeparamref name="T"/>, kept as it was given (no wrapping delegate per handler).</summary>
    private sealed class Route<T>(Subscription? subscription, string key, Func<T, CancellationToken, ValueTask> handler) : Route(subscription, key)
        where T : class
    {
        public override ValueTask Invoke(object value, CancellationToken cancellationToken) =>
            value is T typed ? handler(typed, cancellationToken) : ValueTask.CompletedTask;
    }
}
