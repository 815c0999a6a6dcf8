using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated;

/// <summary>Routes a parsed webhook to the app's handler for its type and returns the response to send.</summary>
public interface IWebhookDispatcher
{
    /// <summary>
    /// Calls the handler for <paramref name="request"/>'s type, or answers the default for a type the app
    /// does not handle. An exception thrown by a handler propagates; the host turns it into an error response.
    /// </summary>
    /// <param name="request">The webhook, as read by <see cref="MentraJsonContext"/>.</param>
    /// <param name="services">The services of the scope created for this webhook; handlers' services come from it.</param>
    /// <param name="cancellationToken">Fires when the sender goes away or the host stops.</param>
    ValueTask<WebhookResponse> DispatchAsync(WebhookRequest request, IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>
    /// The app's session handlers (its stream and session-event handlers, with their subscriptions); null for an app
    /// that only answers webhooks. When set, an accepted <c>session_request</c> connects the session's WebSocket.
    /// </summary>
    Sessions.AppSessionHandlers? SessionHandlers => null;

    /// <summary>The app's AI tools (its <c>[OnToolCall]</c> methods); null for an app that has none.</summary>
    Tools.IToolDispatcher? Tools => null;
}
