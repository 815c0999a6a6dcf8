using System;
using Mentra.Generated.Sessions;

namespace Mentra.Generated;

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that runs when a session is connected: after each ack (the first
/// and every reconnect), before any message that follows. The place to show the first screen.
/// </summary>
/// <remarks>
/// The method may take the <see cref="AppSession"/>, a <see cref="System.Threading.CancellationToken"/> and services, and
/// return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnConnectedAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "Mentra.Generated.Sessions.AppSession";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "connected";

    /// <summary>No subscription.</summary>
    public const string Streams = "";
}

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that runs once when a session ends, however it ends (a stop, the
/// cloud's final close, a connection lost for good, a start that failed, the host's shutdown). A dropped socket that the
/// SDK connects again is not an end: see <see cref="OnDisconnectedAttribute"/>.
/// </summary>
/// <remarks>
/// The method may take the <see cref="AppSessionEnd"/> (or its properties by name), the <see cref="AppSession"/> and
/// services, and return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnEndedAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "Mentra.Generated.Sessions.AppSessionEnd";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "ended";

    /// <summary>No subscription.</summary>
    public const string Streams = "";
}

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that runs when the session's socket drops without a final close; the
/// SDK then connects again (<see cref="OnReconnectingAttribute"/>, <see cref="OnReconnectedAttribute"/>), and the session
/// has not ended. Runs on the session's worker, in order with its messages.
/// </summary>
/// <remarks>
/// The method may take the <see cref="AppSessionDisconnect"/> (or its properties by name), the <see cref="AppSession"/>,
/// a <see cref="System.Threading.CancellationToken"/> and services, and return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnDisconnectedAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "Mentra.Generated.Sessions.AppSessionDisconnect";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "disconnected";

    /// <summary>No subscription.</summary>
    public const string Streams = "";
}

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that runs before each attempt to connect a dropped session again,
/// with the attempt's number, the wait before it and why the attempt before it failed.
/// </summary>
/// <remarks>
/// The method may take the <see cref="AppSessionReconnect"/> (or its properties by name), the <see cref="AppSession"/>,
/// a <see cref="System.Threading.CancellationToken"/> and services, and return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnReconnectingAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "Mentra.Generated.Sessions.AppSessionReconnect";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "reconnecting";

    /// <summary>No subscription.</summary>
    public const string Streams = "";
}

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that runs when a dropped session is connected again: after the ack
/// and the subscriptions, before the <see cref="OnConnectedAttribute"/> handler of that ack.
/// </summary>
/// <remarks>
/// The method may take the <see cref="AppSessionReconnect"/> of the attempt that succeeded (or its properties by name),
/// the <see cref="AppSession"/>, a <see cref="System.Threading.CancellationToken"/> and services, and return <c>void</c>,
/// <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnReconnectedAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "Mentra.Generated.Sessions.AppSessionReconnect";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "reconnected";

    /// <summary>No subscription.</summary>
    public const string Streams = "";
}

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that receives the microphone's audio: PCM 16-bit mono, 16 kHz,
/// little-endian, one chunk per call, valid only during the call. Subscribes to <c>audio_chunk</c>.
/// </summary>
/// <remarks>
/// The method may take the chunk as a <see cref="ReadOnlyMemory{T}"/> of bytes, the <see cref="AppSession"/>, a
/// <see cref="System.Threading.CancellationToken"/> and services, and return <c>void</c>, <c>Task</c> or <c>ValueTask</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnAudioChunkAttribute : Attribute
{
    /// <summary>The metadata name of the type the handler receives.</summary>
    public const string PayloadType = "System.ReadOnlyMemory`1";

    /// <summary>How it arrives.</summary>
    public const string Delivery = "audio";

    /// <summary>The subscription.</summary>
    public const string Streams = "audio_chunk";
}
