using System;

namespace Mentra.Generated.Sessions;

/// <summary>
/// What the cloud's close of a session's socket means, as the protocol document's table of close codes gives it: the
/// end of the session, or a dropped connection that the SDK connects again (within the cloud's grace, see
/// <see cref="IReconnectPolicy"/>). A new close-code rule is a line here; the receive loop only asks.
/// </summary>
internal static class CloseRules
{
    /// <summary>
    /// Whether the close ends the session: 1000 (app stopped, user session ended, cleanup), 1001 (going away) and 1008
    /// (a refusal: a bad key, an app not started, a request error), or a reason that says the app stopped or the user's
    /// session ended whatever its code. Anything else (no close frame, as 1006; 1011, the cloud's internal error) reconnects.
    /// </summary>
    public static bool EndsSession(int? status, string? description) =>
        status is 1000 or 1001 or 1008
        || (description is not null
            && (description.Contains("App stopped", StringComparison.OrdinalIgnoreCase)
                || description.Contains("User session ended", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The reason a session that the cloud closed ended with: the close's own reason, if it gave one.</summary>
    public static string EndReason(string? description) => description is { Length: > 0 } ? description : "Closed by the cloud";

    /// <summary>The reason a dropped connection is reported with, to the disconnected handlers.</summary>
    public static string DropReason(string? description) => description is { Length: > 0 } ? description : "Connection lost";
}
