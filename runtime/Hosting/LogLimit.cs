using System;
using System.Diagnostics;

namespace Mentra.Generated;

/// <summary>
/// Repeated warnings of one cause, as a flood of bad input makes them: the first <see cref="PerWindow"/> in each
/// <see cref="Window"/> are logged; the rest are counted, and the next one logged says first how many were left out
/// (so does the owner at its end, for what no later line reported). Nothing is silent, and a log cannot be filled by a
/// sender. Not thread-safe: one per cause, used under its owner's lock or from one loop.
/// </summary>
internal struct LogLimit
{
    /// <summary>How many warnings of one cause are logged in each window.</summary>
    public const int PerWindow = 3;

    /// <summary>The window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private long _windowStart;
    private int _logged;
    private int _skipped;

    /// <summary>
    /// Whether to log this one; when true, <paramref name="skipped"/> says how many were left out since the last one
    /// logged (to say before it).
    /// </summary>
    public bool Enter(out int skipped)
    {
        long now = Stopwatch.GetTimestamp();
        if (_windowStart == 0 || Stopwatch.GetElapsedTime(_windowStart, now) >= Window)
        {
            _windowStart = now;
            _logged = 0;
        }

        if (_logged < PerWindow)
        {
            _logged++;
            skipped = _skipped;
            _skipped = 0;
            return true;
        }

        _skipped++;
        skipped = 0;
        return false;
    }

    /// <summary>The count left out that no line has reported yet; zero after.</summary>
    public int TakeSkipped()
    {
        int skipped = _skipped;
        _skipped = 0;
        return skipped;
    }
}

/// <summary>The causes of the warnings a sender without a credential can repeat at will, each limited per host.</summary>
internal enum HostWarning
{
    /// <summary>A webhook refused as the sender's mistake.</summary>
    WebhookRejected,

    /// <summary>A webhook whose WebSocket URL is not trusted.</summary>
    UntrustedWebSocketUrl,

    /// <summary>A session that could not connect.</summary>
    SessionConnectFailed,

    /// <summary>A photo upload nobody waits for.</summary>
    PhotoNotWaitedFor,

    /// <summary>A settings push or tool call refused as the sender's mistake (or without the app's key).</summary>
    CloudCallRejected,

    /// <summary>A webview request whose credential did not authenticate.</summary>
    AuthenticationFailed,
}

/// <summary>The causes of the warnings the cloud's side of one session can repeat, each limited per session.</summary>
internal enum SessionWarning
{
    /// <summary>A frame that is not a message of the protocol.</summary>
    Malformed,

    /// <summary>A frame over the size limit.</summary>
    TooLarge,

    /// <summary>A <c>tpa_connection_error</c>.</summary>
    CloudError,

    /// <summary>A failed reconnect attempt.</summary>
    ReconnectFailed,
}

/// <summary>The host's <see cref="LogLimit"/> for each <see cref="HostWarning"/>, shared by its endpoints.</summary>
internal sealed class HostLogLimits
{
    private readonly LogLimit[] _limits = new LogLimit[(int)HostWarning.AuthenticationFailed + 1];

    /// <summary>Whether to log a warning of <paramref name="cause"/>; when true, first say <paramref name="skipped"/> if it is not zero.</summary>
    public bool Enter(HostWarning cause, out int skipped)
    {
        lock (_limits)
        {
            return _limits[(int)cause].Enter(out skipped);
        }
    }
}
