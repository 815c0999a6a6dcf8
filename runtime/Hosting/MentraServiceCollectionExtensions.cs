using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>Registers a MentraOS app with ASP.NET Core.</summary>
public static class MentraServiceCollectionExtensions
{
    /// <summary>
    /// Registers the app class <typeparamref name="TApp"/> (marked <see cref="MentraAppAttribute"/>), its generated
    /// dispatcher, <see cref="IActiveSessions"/>, and <see cref="MentraOptions"/> bound from configuration and
    /// from <c>PACKAGE_NAME</c>, <c>MENTRAOS_API_KEY</c> and <c>PORT</c>. Map the endpoints with
    /// <c>app.MapMentraWebhooks()</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to the options after configuration is bound.</param>
    public static IServiceCollection AddMentraApp<TApp>(this IServiceCollection services, Action<MentraOptions>? configure = null)
        where TApp : IMentraApp
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<MentraOptions> options = services.AddOptions<MentraOptions>()
            .Configure<IConfiguration>(MentraOptionsBinder.Bind);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MentraOptions>, MentraOptionsValidator>());
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>(ListenOnPort);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ActiveSessionRegistry>();
        services.TryAddSingleton<HostLogLimits>();
        services.TryAddSingleton<IActiveSessions>(provider => provider.GetRequiredService<ActiveSessionRegistry>());
        services.TryAddSingleton<MentraMetrics>();
        services.TryAddSingleton(provider => CreateUrlPolicy(provider));
        services.TryAddSingleton(new ServiceLifetimes(services));
        // Registered before the session manager, so that the host stops it after the sessions: what their stop handlers
        // write is sent too.
        services.TryAddSingleton<Storage.MentraStorage>();
        services.AddHostedService(provider => provider.GetRequiredService<Storage.MentraStorage>());
        services.TryAddSingleton<Coordination.SessionCoordinator>(); // one replica; AddMentraRedis replaces it, before or after
        services.TryAddSingleton<Coordination.CoordinatedReplica>();
        services.TryAddSingleton<Sessions.AppSessionManager>();
        services.AddHostedService(provider => provider.GetRequiredService<Sessions.AppSessionManager>());
        services.TryAddSingleton<WebhookEndpoint>();
        services.TryAddSingleton<HealthEndpoint>();
        services.TryAddSingleton<EndpointCheck>();
        services.AddHostedService(provider => provider.GetRequiredService<EndpointCheck>());
        if (!services.Any(d => d.ServiceType == typeof(MentraHealthCheck)))
        {
            services.AddSingleton<MentraHealthCheck>();
            services.AddHealthChecks().Add(new HealthCheckRegistration(MentraHealthCheck.Name, provider => provider.GetRequiredService<MentraHealthCheck>(), failureStatus: null, tags: [MentraTelemetry.Name]));
        }
        services.TryAddSingleton<PhotoUploadEndpoint>();
        services.TryAddSingleton<SettingsEndpoint>();
        services.TryAddSingleton<ToolEndpoint>();
        services.AddSingleton(TApp.Dispatcher);
        return services;
    }

    private static WebSocketUrlPolicy CreateUrlPolicy(IServiceProvider provider)
    {
        MentraOptions options = provider.GetRequiredService<IOptions<MentraOptions>>().Value;
        bool development = provider.GetService<IHostEnvironment>()?.IsDevelopment() ?? false;
        return new WebSocketUrlPolicy(options.AllowedWebSocketHosts, options.AllowInsecureLoopbackWebSocket ?? development);
    }

    /// <summary>The TypeScript SDK's <c>PORT</c>: listen on it on every interface, as it does.</summary>
    private static void ListenOnPort(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        if (int.TryParse(configuration["PORT"], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535)
        {
            kestrel.ListenAnyIP(port);
        }
    }
}

/// <summary>Binds <see cref="MentraOptions"/> by hand: no reflection, so it is safe under NativeAOT.</summary>
internal static class MentraOptionsBinder
{
    public const string Section = "Mentra";

    /// <summary>
    /// The value of whichever of two keys for one setting (the section's, and the TypeScript SDK's environment variable)
    /// the latest configuration source sets, as ASP.NET Core's order has it for one key: the command line beats the
    /// environment, which beats <c>appsettings.json</c>, whatever the key's spelling. Within one source, the section's wins.
    /// </summary>
    private static string? Latest(IConfiguration configuration, string key, string alias)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return configuration[key] ?? configuration[alias];
        }

        IConfigurationProvider[] providers = [.. root.Providers];
        for (int i = providers.Length - 1; i >= 0; i--)
        {
            IConfigurationProvider provider = providers[i];
            if ((provider.TryGet(key, out string? value) || provider.TryGet(alias, out value)) && value is not null)
            {
                return value;
            }
        }

        return null;
    }

    public static void Bind(MentraOptions options, IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(Section);
        options.PackageName = Latest(configuration, Section + ":PackageName", "PACKAGE_NAME") ?? options.PackageName;
        options.ApiKey = Latest(configuration, Section + ":ApiKey", "MENTRAOS_API_KEY") ?? options.ApiKey;
        options.WebhookPath = section["WebhookPath"] ?? options.WebhookPath;
        options.HealthPath = section["HealthPath"] ?? options.HealthPath;
        options.PhotoUploadPath = section["PhotoUploadPath"] ?? options.PhotoUploadPath;
        options.SettingsPath = section["SettingsPath"] ?? options.SettingsPath;
        options.ToolPath = section["ToolPath"] ?? options.ToolPath;
        if (section["RequireToolCallKey"] is { } requireKey)
        {
            options.RequireToolCallKey = bool.TryParse(requireKey, out bool value) ? value : throw Invalid("RequireToolCallKey", requireKey, "true or false");
        }

        if (section["EnableHealthEndpoint"] is { } enable)
        {
            options.EnableHealthEndpoint = bool.TryParse(enable, out bool value) ? value : throw Invalid("EnableHealthEndpoint", enable, "true or false");
        }

        if (section["MaxRequestBodySize"] is { } size)
        {
            options.MaxRequestBodySize = long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : throw Invalid("MaxRequestBodySize", size, "a number of bytes");
        }

        if (section["SessionAckTimeout"] is { } ack)
        {
            options.SessionAckTimeout = TimeSpan.TryParse(ack, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid("SessionAckTimeout", ack, "a time span such as 00:00:05");
        }

        if (section["MaxSessionMessageBytes"] is { } bytes)
        {
            options.MaxSessionMessageBytes = int.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw Invalid("MaxSessionMessageBytes", bytes, "a number of bytes");
        }

        if (section["ReconnectGrace"] is { } grace)
        {
            options.ReconnectGrace = TimeSpan.TryParse(grace, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid("ReconnectGrace", grace, "a time span such as 00:00:05");
        }

        if (section["SessionKeepAliveInterval"] is { } keepAlive)
        {
            options.SessionKeepAliveInterval = TimeSpan.TryParse(keepAlive, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid("SessionKeepAliveInterval", keepAlive, "a time span such as 00:00:15");
        }

        if (section["CloudApiUrl"] is { } cloud)
        {
            options.CloudApiUrl = Uri.TryCreate(cloud, UriKind.Absolute, out Uri? value) && value.Scheme is "https" or "http" ? value : throw Invalid("CloudApiUrl", cloud, "an absolute http(s) URL such as https://api.mentra.glass");
        }

        if (section["MaxTrackedSessions"] is { } tracked)
        {
            options.MaxTrackedSessions = int.TryParse(tracked, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw Invalid("MaxTrackedSessions", tracked, "a number of sessions");
        }

        if (section["TrackedSessionLifetime"] is { } lifetime)
        {
            options.TrackedSessionLifetime = TimeSpan.TryParse(lifetime, CultureInfo.InvariantCulture, out TimeSpan value) ? value : throw Invalid("TrackedSessionLifetime", lifetime, "a time span such as 1.00:00:00");
        }

        if (section["ConnectAppSessions"] is { } connect)
        {
            options.ConnectAppSessions = bool.TryParse(connect, out bool value) ? value : throw Invalid("ConnectAppSessions", connect, "true or false");
        }

        if (section["AllowInsecureLoopbackWebSocket"] is { } insecure)
        {
            options.AllowInsecureLoopbackWebSocket = bool.TryParse(insecure, out bool value) ? value : throw Invalid("AllowInsecureLoopbackWebSocket", insecure, "true or false");
        }

        List<string> hosts = [.. section.GetSection("AllowedWebSocketHosts").GetChildren().Select(c => c.Value).OfType<string>()];
        if (hosts.Count > 0)
        {
            options.AllowedWebSocketHosts.Clear();
            hosts.ForEach(options.AllowedWebSocketHosts.Add);
        }
    }

    private static OptionsValidationException Invalid(string key, string value, string expected) =>
        new(Microsoft.Extensions.Options.Options.DefaultName, typeof(MentraOptions), [$"{Section}:{key} is '{value}', but it must be {expected}."]);
}

/// <summary>Checks the options when the host starts, with messages that say what to set.</summary>
internal sealed class MentraOptionsValidator : IValidateOptions<MentraOptions>
{
    public ValidateOptionsResult Validate(string? name, MentraOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PackageName))
        {
            failures.Add("The app's package name is not set: set the PACKAGE_NAME environment variable, or Mentra:PackageName in configuration.");
        }
        else if (options.PackageName.Any(char.IsWhiteSpace))
        {
            failures.Add($"The package name '{options.PackageName}' contains white space.");
        }

        foreach ((string key, string path) in new[] { ("WebhookPath", options.WebhookPath), ("HealthPath", options.HealthPath), ("PhotoUploadPath", options.PhotoUploadPath), ("SettingsPath", options.SettingsPath), ("ToolPath", options.ToolPath) })
        {
            if (string.IsNullOrEmpty(path) || path[0] != '/')
            {
                failures.Add($"Mentra:{key} is '{path}', but it must start with '/'.");
            }
        }

        if (options.SessionKeepAliveInterval is { } keepAlive && (keepAlive < TimeSpan.FromSeconds(1) || keepAlive > TimeSpan.FromMinutes(2)))
        {
            failures.Add($"Mentra:SessionKeepAliveInterval is {keepAlive}, but it must be between 1 s and 2 minutes (the newer SDK pings every 15 s; the cloud drops a socket idle for 120 s).");
        }

        if (options.CloudApiUrl is not { IsAbsoluteUri: true } api || api.Scheme is not ("https" or "http"))
        {
            failures.Add("Mentra:CloudApiUrl must be an absolute http(s) URL, such as https://api.mentra.glass.");
        }

        if (options.SessionAckTimeout <= TimeSpan.Zero || options.SessionAckTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Mentra:SessionAckTimeout is {options.SessionAckTimeout}, but it must be more than zero and at most a minute (the cloud gives an app 5 s).");
        }

        if (options.MaxSessionMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"Mentra:MaxSessionMessageBytes is {options.MaxSessionMessageBytes}, but it must be between 1024 and 16777216 bytes (the cloud's own limit).");
        }

        if (options.ReconnectGrace <= TimeSpan.Zero)
        {
            failures.Add($"Mentra:ReconnectGrace is {options.ReconnectGrace}, but it must be more than zero.");
        }
        else if (options.ReconnectPolicy is Sessions.ReconnectSchedule schedule && schedule.Total >= options.ReconnectGrace)
        {
            failures.Add($"The reconnect schedule's waits add up to {schedule.Total.TotalSeconds:0.###} s, but the cloud holds a dropped session for {options.ReconnectGrace.TotalSeconds:0.###} s (Mentra:ReconnectGrace): shorten the waits, or set ReconnectGrace for a cloud that holds sessions longer.");
        }

        if (options.MaxTrackedSessions < 1)
        {
            failures.Add($"Mentra:MaxTrackedSessions is {options.MaxTrackedSessions}, but it must be 1 or more.");
        }

        if (options.TrackedSessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"Mentra:TrackedSessionLifetime is {options.TrackedSessionLifetime}, but it must be more than zero.");
        }

        if (options.MaxRequestBodySize is <= 0 or > int.MaxValue)
        {
            failures.Add($"Mentra:MaxRequestBodySize is {options.MaxRequestBodySize}, but it must be between 1 and {int.MaxValue} bytes.");
        }

        foreach (string host in options.AllowedWebSocketHosts)
        {
            string bare = host.StartsWith("*.", StringComparison.Ordinal) ? host.Substring(2) : host;
            if (bare.Length == 0 || bare.Contains('*') || bare.Contains("://", StringComparison.Ordinal) || bare.Contains('/') || Uri.CheckHostName(bare.TrimEnd('.')) == UriHostNameType.Unknown)
            {
                failures.Add($"Mentra:AllowedWebSocketHosts has '{host}', which is not a host name or '*.' followed by one.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
