using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Mentra.Generated.Authentication;

/// <summary>
/// Webview sign-in as an ASP.NET Core authentication handler. The phone opens the app's webview with the cloud's
/// credentials, and the handler accepts, in the TypeScript SDK's order (the first that holds wins):
/// <list type="number">
/// <item>the signed user token (<c>?aos_signed_user_token=</c>, an RS256 JWT of the cloud: its key, its issuer, unexpired
/// within the clock skew);</item>
/// <item>the temporary token (<c>?aos_temp_token=</c>), exchanged once with the cloud, server to server, with the app's
/// key; a cloud API URL named by the query (<c>cloudApiUrl</c>) only with its checksum (<c>cloudApiUrlChecksum</c>);</item>
/// <item>the frontend token (<c>Authorization: Bearer user:hash</c> or <c>?aos_frontend_token=</c>);</item>
/// <item>the session cookie (HMAC-signed, 30 days), under the newer SDK's name or 2.1.29's.</item>
/// </list>
/// Each of the first three signs the user in with a session cookie. The result is a <see cref="ClaimsPrincipal"/> whose
/// <see cref="ClaimTypes.NameIdentifier"/> and name are the user's id. A credential that does not hold is a failed
/// authentication (a 401 when the endpoint requires a user), logged as a warning with the reason and never the secret.
/// </summary>
internal sealed class MentraAuthenticationHandler(
    IOptionsMonitor<MentraAuthenticationOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    WebviewCredentialStore store,
    HostLogLimits limits)
    : AuthenticationHandler<MentraAuthenticationOptions>(options, loggers, encoder)
{
    private readonly ILogger _log = loggers.CreateLogger("Mentra.Generated.Authentication");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Most requests (the cloud's webhooks, health polls) carry none of the credentials: they are answered at once,
        // without the checks being made.
        IQueryCollection query = Request.Query;
        string cookieName = CookieName;
        string authorization = Request.Headers.Authorization.ToString();
        if (query.Count == 0 && authorization.Length == 0 && Request.Cookies.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        WebviewCredentials credentials = store.For(Scheme.Name, Options);
        var failures = new List<string>(1);

        if (Single(query, "aos_signed_user_token") is { } signed)
        {
            (string? user, string? failure) = await credentials.SignedUserTokenAsync(signed).ConfigureAwait(false);
            if (user is not null)
            {
                return SignIn(user, "signed_user_token", credentials, issueCookie: true);
            }

            failures.Add(failure!);
        }

        if (Single(query, "aos_temp_token") is { } temp)
        {
            (string? user, string? failure) = await credentials.TempTokenAsync(temp, Single(query, "cloudApiUrl"), Single(query, "cloudApiUrlChecksum"), Context.RequestAborted).ConfigureAwait(false);
            if (user is not null)
            {
                return SignIn(user, "temp_token", credentials, issueCookie: true);
            }

            failures.Add(failure!);
        }

        string? frontend = Single(query, "aos_frontend_token");
        if (frontend is null && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            && WebviewCredentials.LooksLikeFrontendToken(authorization.Substring(7).Trim()))
        {
            frontend = authorization.Substring(7).Trim(); // a bearer token of another form is another scheme's, left alone
        }

        if (frontend is not null)
        {
            (string? user, string? failure) = credentials.FrontendTokenOf(frontend);
            if (user is not null)
            {
                return SignIn(user, "frontend_token", credentials, issueCookie: true);
            }

            failures.Add(failure!);
        }

        bool legacy = false;
        string? cookie = Request.Cookies[cookieName];
        if (cookie is null && cookieName != MentraAuthenticationDefaults.LegacyCookieName)
        {
            cookie = Request.Cookies[MentraAuthenticationDefaults.LegacyCookieName];
            legacy = cookie is not null;
        }

        if (cookie is not null)
        {
            (string? user, bool renew, string? failure) = credentials.CookieOf(cookie);
            if (user is not null)
            {
                if (legacy)
                {
                    Response.Cookies.Delete(MentraAuthenticationDefaults.LegacyCookieName, new CookieOptions { Path = "/" });
                }

                return SignIn(user, "cookie", credentials, issueCookie: legacy || renew);
            }

            failures.Add(failure!);
            Response.Cookies.Delete(cookieName, new CookieOptions { Path = "/" });
            Response.Cookies.Delete(MentraAuthenticationDefaults.LegacyCookieName, new CookieOptions { Path = "/" });
        }

        if (failures.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        string reason = string.Join("; ", failures);
        if (Mentra.Generated.Log.Limited(_log, limits, HostWarning.AuthenticationFailed))
        {
            Mentra.Generated.Log.AuthenticationFailed(_log, reason);
        }

        return AuthenticateResult.Fail(reason);
    }

    private string CookieName => Options.CookieName ?? store.PackageName + "-session";

    private AuthenticateResult SignIn(string userId, string credential, WebviewCredentials credentials, bool issueCookie)
    {
        if (issueCookie && credentials.SignsCookies)
        {
            bool secure = Options.SecureCookie ?? !store.IsDevelopment;
            Response.Cookies.Append(CookieName, credentials.Cookie(userId), new CookieOptions
            {
                HttpOnly = true,
                Secure = secure,
                SameSite = secure ? SameSiteMode.None : SameSiteMode.Lax,
                Path = "/",
                MaxAge = credentials.CookieLifetime,
            });
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, userId),
                new Claim(ClaimTypes.Name, userId),
                new Claim(MentraAuthenticationDefaults.CredentialClaimType, credential),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>The one value of a query parameter; null when it is absent, empty or given more than once.</summary>
    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out StringValues values) && values.Count == 1 && values[0] is { Length: > 0 } value ? value : null;
}
