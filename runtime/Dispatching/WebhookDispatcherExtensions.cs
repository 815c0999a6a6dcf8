using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated;

/// <summary>Ways to call an <see cref="IWebhookDispatcher"/>.</summary>
public static class WebhookDispatcherExtensions
{
    /// <summary>
    /// Dispatches <paramref name="request"/> in a new service scope, disposed when the handler has finished,
    /// so that scoped services (a <c>DbContext</c>, say) are fresh for each webhook.
    /// </summary>
    public static async ValueTask<WebhookResponse> DispatchInNewScopeAsync(
        this IWebhookDispatcher dispatcher,
        WebhookRequest request,
        IServiceScopeFactory scopes,
        CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        return await dispatcher.DispatchAsync(request, scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
    }
}
