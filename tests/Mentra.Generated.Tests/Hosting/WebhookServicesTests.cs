using System;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>Handlers get singletons from the root and everything else from the request's scope, as the container would give them.</summary>
public sealed class WebhookServicesTests
{
    public sealed class Single;

    public sealed class Scoped;

    public sealed class Transient;

    public sealed class Overridden;

    private static (IServiceProvider Root, ServiceLifetimes Lifetimes) Build()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Single>();
        services.AddScoped<Scoped>();
        services.AddTransient<Transient>();
        services.AddSingleton<Overridden>();
        services.AddScoped<Overridden>();           // the last registration wins
        services.AddKeyedScoped<Single>("other");  // keyed registrations do not count
        return (services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), new ServiceLifetimes(services));
    }

    private static (WebhookServices Services, IServiceScope Scope) ForRequest(IServiceProvider root, ServiceLifetimes lifetimes)
    {
        IServiceScope scope = root.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        return (new WebhookServices(root, lifetimes, context), scope);
    }

    [Fact]
    public void Singletons_come_from_the_root_and_the_rest_from_the_requests_scope()
    {
        (IServiceProvider root, ServiceLifetimes lifetimes) = Build();
        (WebhookServices first, IServiceScope firstScope) = ForRequest(root, lifetimes);
        (WebhookServices second, IServiceScope secondScope) = ForRequest(root, lifetimes);

        Assert.Same(root.GetRequiredService<Single>(), first.GetRequiredService<Single>());
        Assert.Same(first.GetRequiredService<Single>(), second.GetRequiredService<Single>());
        Assert.Same(root.GetRequiredService<ILogger<Single>>(), first.GetRequiredService<ILogger<Single>>()); // an open generic singleton

        Assert.Same(firstScope.ServiceProvider.GetRequiredService<Scoped>(), first.GetRequiredService<Scoped>());
        Assert.NotSame(first.GetRequiredService<Scoped>(), second.GetRequiredService<Scoped>());
        Assert.Same(firstScope.ServiceProvider.GetRequiredService<Overridden>(), first.GetRequiredService<Overridden>());
        Assert.NotSame(first.GetRequiredService<Transient>(), first.GetRequiredService<Transient>());
        Assert.Same(firstScope.ServiceProvider, first.GetRequiredService<IServiceProvider>());
        Assert.Null(first.GetService(typeof(Version)));
        Assert.Throws<InvalidOperationException>(() => first.GetRequiredService<Version>());
    }

    [Fact]
    public void The_lifetimes_are_the_registrations()
    {
        (_, ServiceLifetimes lifetimes) = Build();

        Assert.True(lifetimes.IsSingleton(typeof(Single)));
        Assert.True(lifetimes.IsSingleton(typeof(ILogger<Single>)));
        Assert.False(lifetimes.IsSingleton(typeof(Scoped)));
        Assert.False(lifetimes.IsSingleton(typeof(Transient)));
        Assert.False(lifetimes.IsSingleton(typeof(Overridden)));
        Assert.False(lifetimes.IsSingleton(typeof(IServiceProvider)));
        Assert.False(lifetimes.IsSingleton(typeof(Version)));
    }
}
