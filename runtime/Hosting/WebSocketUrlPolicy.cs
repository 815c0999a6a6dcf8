using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Mentra.Generated;

/// <summary>
/// Decides whether a WebSocket URL from a webhook may be connected to. Webhooks carry no signature, so a
/// forged <c>session_request</c> could name a server that would receive the app's API key: only <c>wss</c>
/// to an allowed host passes, and plain <c>ws</c> only to loopback, only when allowed.
/// </summary>
internal sealed class WebSocketUrlPolicy
{
    private readonly string[] _exactHosts;
    private readonly string[] _suffixes;
    private readonly bool _allowInsecureLoopback;
    private readonly Func<string, string?> _check;

    // The last verdicts, by URL text: the cloud sends its own one or two URLs in every session_request, and parsing a
    // URL costs more than reading the whole webhook. Each entry is immutable and replaced whole, so readers need no
    // lock; a forged request can only push entries out, never change a verdict, which is always Decide's for that text.
    private readonly Verdict?[] _recent = new Verdict?[4];
    private int _next;

    public WebSocketUrlPolicy(IEnumerable<string> allowedHosts, bool allowInsecureLoopback)
    {
        var entries = allowedHosts.Select(h => h.Trim().TrimEnd('.').ToLowerInvariant()).Where(h => h.Length > 0).ToList();
        _exactHosts = [.. entries.Where(h => !h.StartsWith("*.", StringComparison.Ordinal))];
        _suffixes = [.. entries.Where(h => h.StartsWith("*.", StringComparison.Ordinal)).Select(h => h.Substring(1))];
        _allowInsecureLoopback = allowInsecureLoopback;
        _check = Check;
    }

    /// <summary>
    /// Null when every WebSocket URL that <paramref name="request"/> carries may be used, else why not. Every one must
    /// pass, not only the one a session connects to: a handler may read any of them. Which properties are URLs the schema
    /// says (<c>x-websocket-url</c>), so a URL field added to it is checked here without a change.
    /// </summary>
    public string? Check(WebhookRequest request) => WebhookGuards.CheckWebSocketUrls(request, _check);

    /// <summary>Null when <paramref name="url"/> may be used, else why not.</summary>
    public string? Check(string url)
    {
        foreach (Verdict? verdict in _recent)
        {
            if (verdict is not null && string.Equals(verdict.Url, url, StringComparison.Ordinal))
            {
                return verdict.Problem;
            }
        }

        string? problem = Decide(url);
        _recent[(uint)Interlocked.Increment(ref _next) % (uint)_recent.Length] = new Verdict(url, problem);
        return problem;
    }

    private string? Decide(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            return "it is not an absolute URL";
        }

        if (uri.UserInfo.Length > 0 || url.Contains('@', StringComparison.Ordinal))
        {
            return "it carries user information ('@')";
        }

        string host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        switch (uri.Scheme)
        {
            case "wss":
                return IsAllowed(host) ? null : $"the host '{host}' is not on the allow-list";
            case "ws":
                if (!uri.IsLoopback)
                {
                    return "plain ws is only accepted to a loopback host";
                }

                return _allowInsecureLoopback ? null : "plain ws to loopback is not allowed here (set AllowInsecureLoopbackWebSocket)";
            default:
                return $"the scheme '{uri.Scheme}' is not wss";
        }
    }

    private sealed record Verdict(string Url, string? Problem);

    private bool IsAllowed(string host) =>
        _exactHosts.Contains(host, StringComparer.Ordinal)
        || _suffixes.Any(suffix => host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.Ordinal));
}
