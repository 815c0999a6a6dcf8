using System;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated;

/// <summary>
/// The services handed to a webhook's handlers. A singleton is the root provider's instance (the same one the request's
/// scope would return), resolved once and then remembered; anything else, and <see cref="IServiceProvider"/> itself, from the request's
/// scope, which ASP.NET Core creates on first use. So an app whose handlers need only singletons, the common case,
/// never pays for a scope per webhook, and a scoped or transient service behaves exactly as before.
/// </summary>
internal sealed class WebhookServices(IServiceProvider root, ServiceLifetimes lifetimes, HttpContext context) : IServiceProvider, ISupportRequiredService
{
    public object? GetService(Type serviceType) =>
        lifetimes.Singleton(serviceType, root) ?? context.RequestServices.GetService(serviceType);

    public object GetRequiredService(Type serviceType) =>
        lifetimes.Singleton(serviceType, root) ?? context.RequestServices.GetRequiredService(serviceType);
}

/// <summary>
/// Which service types are singletons, read from the app's registrations as the container reads them: the last
/// registration of a type wins, and a closed generic type without one of its own takes its open definition's.
/// </summary>
internal sealed class ServiceLifetimes(IServiceCollection services)
{
    /// <summary>Marks a type that is not a singleton, in <see cref="_singletons"/>.</summary>
    private static readonly object NotSingleton = new();

    // By type: the singleton instance (the root provider's, which never changes), or NotSingleton.
    private readonly ConcurrentDictionary<Type, object> _singletons = new();

    /// <summary>
    /// The instance of <paramref name="serviceType"/> when it is a singleton, resolved from <paramref name="root"/> once
    /// and then remembered; null when it is not a singleton (or the root provider has none).
    /// </summary>
    public object? Singleton(Type serviceType, IServiceProvider root)
    {
        if (!_singletons.TryGetValue(serviceType, out object? known))
        {
            known = IsSingleton(serviceType) && root.GetService(serviceType) is { } instance ? instance : NotSingleton;
            known = _singletons.GetOrAdd(serviceType, known);
        }

        return ReferenceEquals(known, NotSingleton) ? null : known;
    }

    /// <summary>Whether the registrations make <paramref name="serviceType"/> a singleton (read anew on each call).</summary>
    public bool IsSingleton(Type serviceType)
    {
        if (serviceType == typeof(IServiceProvider))
        {
            return false; // a handler that asks for the provider gets the request's scope
        }

        return (LastRegistration(serviceType) ?? (serviceType.IsConstructedGenericType ? LastRegistration(serviceType.GetGenericTypeDefinition()) : null))
            is { Lifetime: ServiceLifetime.Singleton };
    }

    private ServiceDescriptor? LastRegistration(Type serviceType)
    {
        for (int i = services.Count - 1; i >= 0; i--)
        {
            ServiceDescriptor descriptor = services[i];
            if (!descriptor.IsKeyedService && descriptor.ServiceType == serviceType)
            {
                return descriptor;
            }
        }

        return null;
    }
}
