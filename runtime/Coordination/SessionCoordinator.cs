using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Coordination;

/// <summary>
/// Where the replicas of one app agree on who owns each session. The default, this class itself, is one replica:
/// every session this server holds is its own, nothing is forwarded, and the count is the local one. A distributed
/// coordinator (the <c>Mentra.Generated.Redis</c> package) overrides it: a lease per session, a channel per replica
/// through which a call that lands on the wrong replica reaches the owner, and the cluster's count.
/// </summary>
/// <remarks>
/// The seam is internal to the SDK's own packages, which ship together at one version: its shape can still change
/// without breaking an app, and an app switches coordinators with one call (<c>AddMentraRedis</c>), never by
/// implementing it.
/// </remarks>
internal class SessionCoordinator
{
    /// <summary>Whether other replicas exist: when false, nothing below leaves the process.</summary>
    public virtual bool Distributed => false;

    /// <summary>
    /// The replica this process is, once the host has started: what the coordinator calls back when another replica
    /// takes a session over, when a lease is lost, and when a call is forwarded here.
    /// </summary>
    public virtual void Attach(ICoordinatedReplica replica)
    {
    }

    /// <summary>
    /// The cloud acked a session on this replica: it is now the owner (a distributed coordinator claims the lease with a
    /// new epoch and tells an earlier owner elsewhere to release the session). Never throws: without the coordinator's
    /// store, the session is kept and claimed later.
    /// </summary>
    public virtual ValueTask OwnAsync(string sessionId, string userId) => default;

    /// <summary>The session ended here for good (a stop, the cloud's close, a failed start): its lease is released.</summary>
    public virtual ValueTask DisownAsync(string sessionId) => default;

    /// <summary>
    /// Sends a call that this replica cannot answer itself to the replica that can: the owner of a session, the replica
    /// that holds a user's session, or the one that asked for a photo. Null when no other live replica holds the target
    /// (then a distributed coordinator has cleared what the dead owner left), and the call is answered here.
    /// </summary>
    public virtual Task<ForwardedAnswer?> ForwardAsync(ForwardedCall call, CancellationToken cancellationToken) => Task.FromResult<ForwardedAnswer?>(null);

    /// <summary>A photo this replica waits for: an upload of it that lands elsewhere is sent here.</summary>
    public virtual void AwaitPhoto(string requestId)
    {
    }

    /// <summary>The photo is no longer waited for here.</summary>
    public virtual void ForgetPhoto(string requestId)
    {
    }

    /// <summary>Whether another replica waits for the photo with this request id.</summary>
    public virtual ValueTask<bool> IsPhotoAwaitedElsewhereAsync(string requestId) => new(false);

    /// <summary>
    /// Claims the answer of one webhook, by the SHA-256 of its body, so that an exact retry of it, on any replica, is
    /// answered once: null when this replica handles it (and then <see cref="CompleteWebhook"/> records the answer),
    /// else the answer another replica gave (waiting for one that is still being handled).
    /// </summary>
    public virtual ValueTask<ForwardedAnswer?> ClaimWebhookAsync(byte[] bodyHash, CancellationToken cancellationToken) => new((ForwardedAnswer?)null);

    /// <summary>Records the answer of a webhook claimed by <see cref="ClaimWebhookAsync"/>; a failure's claim is dropped, so that a retry is handled afresh.</summary>
    public virtual void CompleteWebhook(byte[] bodyHash, int status, byte[] body)
    {
    }

    /// <summary>The number of active sessions reported by <c>/health</c>: the cluster's, or <paramref name="local"/>.</summary>
    public virtual ValueTask<int> CountAsync(int local) => new(local);
}

/// <summary>What a coordinator calls on this replica.</summary>
internal interface ICoordinatedReplica
{
    /// <summary>The sessions this replica holds, with the user of each (renewed by a distributed coordinator).</summary>
    IReadOnlyList<(string SessionId, string UserId)> OwnedSessions();

    /// <summary>
    /// Gives the session up without its stop handler: <paramref name="takenOver"/> when another replica now holds it
    /// (<c>ownership_release</c>, then closed), else when its lease was lost (closed without release, so that the cloud
    /// brings it back on a live replica).
    /// </summary>
    Task GiveUpAsync(string sessionId, bool takenOver);

    /// <summary>Answers a call another replica forwarded here, as this replica would answer it.</summary>
    Task<ForwardedAnswer> AnswerAsync(ForwardedCall call);
}

/// <summary>What a forwarded call is.</summary>
internal enum ForwardedKind
{
    /// <summary>A webhook (a <c>stop_request</c>), for the owner of <see cref="ForwardedCall.Key"/>, a session id.</summary>
    Webhook,

    /// <summary>A settings push, for the replica that holds the session of <see cref="ForwardedCall.Key"/>, a user id.</summary>
    Settings,

    /// <summary>A tool call, for the replica that holds the session of <see cref="ForwardedCall.Key"/>, a user id.</summary>
    Tool,

    /// <summary>A photo upload, for the replica that waits for <see cref="ForwardedCall.Key"/>, a request id.</summary>
    Photo,
}

/// <summary>
/// One call forwarded to another replica: its kind, whom it is for, the body as it arrived (a webhook's JSON, or a
/// photo's bytes) and the few fields beside it (a tool call's key header; a photo's type, name and error).
/// </summary>
internal sealed record ForwardedCall(ForwardedKind Kind, string Key, byte[] Body, IReadOnlyDictionary<string, string> Fields);

/// <summary>The answer a replica gave to a forwarded call: the status and the JSON body it would have written.</summary>
internal sealed record ForwardedAnswer(int Status, byte[] Body);
