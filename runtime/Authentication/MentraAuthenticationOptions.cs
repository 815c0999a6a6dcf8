using System;
using Microsoft.AspNetCore.Authentication;

namespace Mentra.Generated.Authentication;

/// <summary>
/// Settings of webview sign-in (<see cref="MentraAuthenticationExtensions.AddMentra(AuthenticationBuilder, Action{MentraAuthenticationOptions}?)"/>).
/// Bound from the <c>Mentra</c> configuration section (<c>Mentra:UserTokenPublicKey</c>, <c>Mentra:CookieSecret</c>) and
/// from <c>MENTRAOS_CLOUD_USER_TOKEN_PUBLIC_KEY</c>, the TypeScript SDK's variable; the app's key and package name are
/// <see cref="MentraOptions"/>'s.
/// </summary>
public sealed class MentraAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// The public key (PEM) of the cloud's signed user tokens (<c>aos_signed_user_token</c>). Default: the key of MentraOS
    /// Cloud, built in; set it for another cloud (the emulator sets its own when it starts the app).
    /// </summary>
    public string? UserTokenPublicKey { get; set; }

    /// <summary>The issuer a signed user token must name. Default <c>https://prod.augmentos.cloud</c>, the cloud's.</summary>
    public string UserTokenIssuer { get; set; } = MentraAuthenticationDefaults.CloudIssuer;

    /// <summary>How far a signed user token's expiry and issue time may be off the server's clock. Default 120 s, as the TypeScript SDK's.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The session cookie's name. Default <c>&lt;packageName&gt;-session</c>, the newer TypeScript SDK's; 2.1.29's <c>aos_session</c> is read too.</summary>
    public string? CookieName { get; set; }

    /// <summary>
    /// The secret the session cookie is signed with (HMAC-SHA256), at least 8 characters. Default: the app's API key, as the
    /// newer TypeScript SDK's; cookies signed with 2.1.29's default (<c>AOS_&lt;packageName&gt;_&lt;first 8 characters of
    /// the key&gt;</c>) are read too, and signed anew.
    /// </summary>
    public string? CookieSecret { get; set; }

    /// <summary>How long a session cookie is valid. Default 30 days, as the TypeScript SDK's.</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether the session cookie is <c>Secure</c> and <c>SameSite=None</c> (the phone app opens the webview from its own
    /// origin); otherwise <c>SameSite=Lax</c>, for http on a development machine. Default: outside Development.
    /// </summary>
    public bool? SecureCookie { get; set; }

    /// <summary>How long the exchange of a temporary token with the cloud may take. Default 10 s, as the TypeScript SDK's.</summary>
    public TimeSpan TokenExchangeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The names webview sign-in uses.</summary>
public static class MentraAuthenticationDefaults
{
    /// <summary>The authentication scheme's name: <c>Mentra</c>.</summary>
    public const string AuthenticationScheme = "Mentra";

    /// <summary>The issuer of the cloud's signed user tokens.</summary>
    public const string CloudIssuer = "https://prod.augmentos.cloud";

    /// <summary>The claim that says which credential signed the user in: <c>signed_user_token</c>, <c>temp_token</c>, <c>frontend_token</c> or <c>cookie</c>.</summary>
    public const string CredentialClaimType = "mentra:credential";

    /// <summary>The cookie name of the TypeScript SDK 2.1.29, read for apps that moved from it.</summary>
    public const string LegacyCookieName = "aos_session";
}
