using System;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated;

/// <summary>
/// The services handed to a webhook's handlers. A singleton comes straight from the root provider (the same instance
/// the request's scope would return); anything else, and <see cref="IServiceProvider"/> itself, from the request's
/// scope, which ASP.NET Core creates on first use. So an app whose handlers need only singletons, the common case,
/// never pays for a scope per webhook, and a scoped or transient service behaves exactly as before.
/// </summary>
internal sealed class WebhookServices(IServiceProvider root, ServiceLifetimes lifetimes, HttpContext context) : IServiceProvider, ISupportRequiredService
{
    public object? GetService(Type serviceType) =>
        lifetimes.IsSingleton(serviceType) ? root.GetService(serviceType) : context.RequestServices.GetService(serviceType);

    public object GetRequiredService(Type serviceType) =>
        lifetimes.IsSingleton(serviceType) ? root.GetRequiredService(serviceType) : context.RequestServices.GetRequiredService(serviceType);
}

/// <summary>
/// Which service types are singletons, read from the app's registrations as the container reads them: the last
/// registration of a type wins, and a closed generic type without one of its own takes its open definition's.
/// </summary>
internal sealed class ServiceLifetimes(IServiceCollection services)
{
    private readonly ConcurrentDictionary<Type, bool> _singletons = new();

    public bool IsSingleton(Type serviceType) =>
        _singletons.TryGetValue(serviceType, out bool singleton) ? singleton : _singletons.GetOrAdd(serviceType, Decide(serviceType));

    private bool Decide(Type serviceType)
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
