using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Security.Claims;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated.Authentication;

/// <summary>Webview sign-in: the authentication scheme, its endpoints, and the signed-in user's id and live session.</summary>
public static class MentraAuthenticationExtensions
{
    /// <summary>
    /// Adds the <c>Mentra</c> authentication scheme: the user of a webview the phone opens, from the cloud's credentials
    /// (see <see cref="MentraAuthenticationOptions"/>). Use it with <c>[Authorize]</c>, <c>RequireAuthorization()</c> and
    /// <c>HttpContext.User</c> as any scheme; <see cref="GetMentraUserId"/> reads the user's id, and
    /// <see cref="FindMentraSession"/> finds their live session. Call <c>AddMentraApp</c> too: the app's key and package
    /// name are its options'.
    /// </summary>
    /// <param name="builder">The app's authentication.</param>
    /// <param name="configure">Changes to the options after configuration is bound.</param>
    public static AuthenticationBuilder AddMentra(this AuthenticationBuilder builder, Action<MentraAuthenticationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<WebviewCredentialStore>();
        builder.Services.TryAddSingleton<HostLogLimits>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<LoggerFilterOptions>(HideRequestLines);
        builder.Services.AddOptions<MentraAuthenticationOptions>(MentraAuthenticationDefaults.AuthenticationScheme)
            .Configure<IConfiguration>(Bind)
            .Validate(o => o.CookieSecret is null || o.CookieSecret.Length >= 8, "Mentra:CookieSecret must be at least 8 characters.")
            .Validate(o => o.UserTokenPublicKey is null || o.UserTokenPublicKey.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal), "Mentra:UserTokenPublicKey must be a PEM public key (-----BEGIN PUBLIC KEY-----).");
        return builder.AddScheme<MentraAuthenticationOptions, MentraAuthenticationHandler>(MentraAuthenticationDefaults.AuthenticationScheme, configure);
    }

    /// <summary>
    /// Maps <c>GET /mentra-auth</c> (a redirect to MentraOS's sign-in for this app, as the TypeScript SDK's) and
    /// <c>GET /api/mentra/auth/init</c> (the newer SDK's route for client-side webviews: the signed-in user's
    /// <c>{"success":true,"userId":..,"frontendToken":..}</c>, or 401 <c>{"success":false,"error":..}</c>). The frontend
    /// token goes in <c>Authorization: Bearer</c> of the webview's own calls.
    /// </summary>
    public static IEndpointConventionBuilder MapMentraAuth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        WebviewCredentialStore store = endpoints.ServiceProvider.GetRequiredService<WebviewCredentialStore>();
        string redirect = "https://account.mentra.glass/auth?packagename=" + Uri.EscapeDataString(store.PackageName);
        endpoints.MapGet("/mentra-auth", (HttpContext context) =>
        {
            context.Response.Redirect(redirect);
            return Task.CompletedTask;
        }).WithDisplayName("MentraOS sign-in redirect");
        return endpoints.MapGet("/api/mentra/auth/init", (HttpContext context) => InitAsync(context, store)).WithDisplayName("MentraOS webview init");
    }

    /// <summary>The user's id, when <paramref name="user"/> was signed in by the <c>Mentra</c> scheme; null otherwise.</summary>
    public static string? GetMentraUserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (ClaimsIdentity identity in user.Identities)
        {
            if (identity.IsAuthenticated && identity.AuthenticationType == MentraAuthenticationDefaults.AuthenticationScheme)
            {
                return identity.FindFirst(ClaimTypes.NameIdentifier)?.Value;
            }
        }

        return null;
    }

    /// <summary>The signed-in user's live app session (connected, or reconnecting), if they have one on this server.</summary>
    public static AppSession? FindMentraSession(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.GetMentraUserId() is not { } userId)
        {
            return null;
        }

        return context.RequestServices.GetRequiredService<AppSessionManager>().LiveSessionOf(userId);
    }

    /// <summary>A frontend token for <paramref name="userId"/>, for a client-side webview's calls (<c>Authorization: Bearer</c>).</summary>
    public static string CreateMentraFrontendToken(this HttpContext context, string userId)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        WebviewCredentialStore store = context.RequestServices.GetRequiredService<WebviewCredentialStore>();
        return store.For(MentraAuthenticationDefaults.AuthenticationScheme, context.RequestServices.GetRequiredService<IOptionsMonitor<MentraAuthenticationOptions>>().Get(MentraAuthenticationDefaults.AuthenticationScheme)).FrontendToken(userId);
    }

    private static async Task InitAsync(HttpContext context, WebviewCredentialStore store)
    {
        AuthenticateResult result = await context.AuthenticateAsync(MentraAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        string? userId = result.Succeeded ? result.Principal.GetMentraUserId() : null;
        var json = new System.IO.MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", userId is not null);
            if (userId is not null)
            {
                writer.WriteString("userId", userId);
                writer.WriteString("frontendToken", context.CreateMentraFrontendToken(userId));
            }
            else
            {
                writer.WriteString("error", "Not signed in: open the webview from the MentraOS app");
            }

            writer.WriteEndObject();
        }

        WebhookEndpoint.Write(context, userId is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK, json.ToArray());
    }

    /// <summary>The category of ASP.NET Core's request lines ("Request starting GET http://..."), which print each URL whole.</summary>
    internal const string RequestLineCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// A webview's URL carries the user's tokens in its query, and ASP.NET Core's request lines print each URL whole, at
    /// Information: they are raised to Warning, unless the app's configuration says how to log that category itself.
    /// </summary>
    private static void HideRequestLines(LoggerFilterOptions filters)
    {
        if (!filters.Rules.Any(r => r.CategoryName == RequestLineCategory))
        {
            filters.Rules.Add(new LoggerFilterRule(null, RequestLineCategory, LogLevel.Warning, null));
        }
    }

    private static void Bind(MentraAuthenticationOptions options, IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(MentraOptionsBinder.Section);
        options.UserTokenPublicKey = section["UserTokenPublicKey"] ?? configuration["MENTRAOS_CLOUD_USER_TOKEN_PUBLIC_KEY"] ?? options.UserTokenPublicKey;
        options.CookieSecret = section["CookieSecret"] ?? options.CookieSecret;
        options.CookieName = section["CookieName"] ?? options.CookieName;
    }
}

/// <summary>The credentials' checks of each scheme, made once from its options, and what the handler needs of the app.</summary>
internal sealed class WebviewCredentialStore(IOptions<MentraOptions> app, TimeProvider time, IHostEnvironment? environment = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, WebviewCredentials> _schemes = new(StringComparer.Ordinal);

    /// <summary>The exchange's message handler, for tests; the default opens its own connections.</summary>
    internal System.Net.Http.HttpMessageHandler? Handler { get; set; }

    public string PackageName => app.Value.PackageName ?? string.Empty;

    public bool IsDevelopment => environment?.IsDevelopment() ?? false;

    public WebviewCredentials For(string scheme, MentraAuthenticationOptions options) =>
        _schemes.GetOrAdd(scheme, static (_, state) => new WebviewCredentials(state.options, state.app, state.time, state.handler), (options, app: app.Value, time, handler: Handler));

    public void Dispose()
    {
        foreach (WebviewCredentials credentials in _schemes.Values)
        {
            credentials.Dispose();
        }
    }
}
