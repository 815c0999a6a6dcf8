using System;
using Mentra.Generated.Coordination;
using Mentra.Generated.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis coordinator of an app's replicas.</summary>
public static class MentraRedisServiceCollectionExtensions
{
    /// <summary>
    /// Makes the app one of several replicas that share their sessions through the Redis server at
    /// <paramref name="connectionString"/> (a StackExchange.Redis configuration string), with the default
    /// <see cref="MentraRedisOptions"/>. Call it beside <c>AddMentraApp</c>, in either order.
    /// </summary>
    public static IServiceCollection AddMentraRedis(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return services.AddMentraRedis(options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Makes the app one of several replicas that share their sessions through Redis, as <paramref name="configure"/>
    /// sets the <see cref="MentraRedisOptions"/> (at least its connection string).
    /// </summary>
    public static IServiceCollection AddMentraRedis(this IServiceCollection services, Action<MentraRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MentraRedisOptions>().Configure(configure).Validate(o => o.ConnectionString.Length > 0, "Mentra Redis: the connection string is not set").Validate(o => o.LeaseDuration >= TimeSpan.FromSeconds(1), "Mentra Redis: the lease is shorter than a second").ValidateOnStart();
        services.TryAddSingleton<RedisCoordinator>();
        services.Replace(ServiceDescriptor.Singleton<SessionCoordinator>(provider => provider.GetRequiredService<RedisCoordinator>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisCoordinator>());
        return services;
    }
}
