using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mentra.Generated.Authentication;

/// <summary>
/// What checks the four credentials of webview sign-in, made once per options: the cloud's user-token key, the app's
/// hashed key, the cookie secrets, the temporary tokens already exchanged, and the client that exchanges them. Every
/// check answers a user id or a reason that names no secret.
/// </summary>
internal sealed class WebviewCredentials : IDisposable
{
    /// <summary>The public key of MentraOS Cloud's user tokens, as the TypeScript SDK 2.1.29 builds it in.</summary>
    internal const string CloudUserTokenKey = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0Yt2RtNOdeKQxWMY0c84\nADpY1Jy58YWZhaEgP2A5tBwFUKgy/TH9gQLWZjQ3dQ/6XXO8qq0kluoYFqM7ZDRF\nzJ0E4Yi0WQncioLRcCx4q8pDmqY9vPKgv6PruJdFWca0l0s3gZ3BqSeWum/C23xK\nFPHPwi8gvRdc6ALrkcHeciM+7NykU8c0EY8PSitNL+Tchti95kGu+j6APr5vNewi\nzRpQGOdqaLWe+ahHmtj6KtUZjm8o6lan4f/o08C6litizguZXuw2Nn/Kd9fFI1xF\nIVNJYMy9jgGaOi71+LpGw+vIpwAawp/7IvULDppvY3DdX5nt05P1+jvVJXPxMKzD\nTQIDAQAB\n-----END PUBLIC KEY-----";

    /// <summary>How long an exchanged temporary token is remembered, so that a replay is refused without the cloud.</summary>
    internal static readonly TimeSpan ExchangedMemory = TimeSpan.FromMinutes(10);

    /// <summary>How many exchanged temporary tokens are remembered at most (the oldest is forgotten first).</summary>
    internal const int MaxRemembered = 10_000;

    private readonly RSA _rsa;
    private readonly TokenValidationParameters _validation;
    private readonly JsonWebTokenHandler _tokens = new();
    private readonly string _apiKey;
    private readonly string _hashedApiKey;
    private readonly string _packageName;
    private readonly byte[][] _cookieSecrets;
    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;
    private readonly HttpClient _http;
    private readonly Dictionary<string, DateTimeOffset> _exchanged = new(StringComparer.Ordinal);
    private readonly Queue<(string Hash, DateTimeOffset At)> _exchangedOrder = new();

    public WebviewCredentials(MentraAuthenticationOptions options, MentraOptions app, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _apiKey = app.ApiKey ?? string.Empty;
        _packageName = app.PackageName ?? string.Empty;
        _hashedApiKey = CloudCall.Sha256Hex(_apiKey);
        _time = time;
        _skew = options.ClockSkew;
        CloudApiUrl = app.CloudApiUrl;
        CookieLifetime = options.CookieLifetime;
        _rsa = RSA.Create();
        _rsa.ImportFromPem(options.UserTokenPublicKey ?? CloudUserTokenKey);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = options.UserTokenIssuer,
            ValidateAudience = false,
            IssuerSigningKey = new RsaSecurityKey(_rsa),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = options.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            LifetimeValidator = (notBefore, expires, _, parameters) => Lifetime(notBefore, expires, parameters.ClockSkew),
        };
        // Without a key (an app that only answers webhooks), nothing signed with it can be trusted: a frontend token or a
        // cookie signed with an empty secret could be made by anyone. The cloud's own user tokens still hold.
        string secret = options.CookieSecret ?? _apiKey;
        string legacy = "AOS_" + _packageName + "_" + (_apiKey.Length > 8 ? _apiKey.Substring(0, 8) : _apiKey);
        _cookieSecrets = secret.Length == 0 ? []
            : secret == legacy || _apiKey.Length == 0 ? [Encoding.UTF8.GetBytes(secret)]
            : [Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(legacy)];
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: handler is null) { Timeout = options.TokenExchangeTimeout };
    }

    /// <summary>The cloud's API for the exchange of temporary tokens, unless a webview URL names another with its checksum.</summary>
    public Uri CloudApiUrl { get; }

    public TimeSpan CookieLifetime { get; }

    /// <summary>The user of a signed user token (RS256, the cloud's key, its issuer, unexpired with the grace), or why not.</summary>
    public async Task<(string? UserId, string? Failure)> SignedUserTokenAsync(string token)
    {
        TokenValidationResult result = await _tokens.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, "the signed user token is " + result.Exception switch
            {
                SecurityTokenExpiredException => "expired",
                SecurityTokenNotYetValidException => "not valid yet",
                SecurityTokenInvalidIssuerException => "from another issuer",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "not signed by the cloud",
                SecurityTokenInvalidAlgorithmException => "signed with another algorithm than RS256",
                SecurityTokenNoExpirationException => "without an expiry",
                _ => "malformed",
            });
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (jwt.TryGetPayloadValue("iat", out long issuedAt) && DateTimeOffset.FromUnixTimeSeconds(issuedAt) > _time.GetUtcNow() + _skew)
        {
            return (null, "the signed user token is issued in the future");
        }

        return string.IsNullOrEmpty(jwt.Subject) ? (null, "the signed user token names no user (sub)") : (jwt.Subject, null);
    }

    /// <summary>
    /// The user of a temporary token, exchanged once with the cloud (server to server, with the app's key) at the cloud API
    /// URL, or at <paramref name="overrideUrl"/> when <paramref name="checksum"/> proves the cloud named it; or why not.
    /// </summary>
    public async Task<(string? UserId, string? Failure)> TempTokenAsync(string token, string? overrideUrl, string? checksum, CancellationToken cancellationToken)
    {
        Uri cloud = CloudApiUrl;
        if (overrideUrl is not null || checksum is not null)
        {
            if (overrideUrl is null || checksum is null || !FixedTimeEquals(checksum, CloudCall.Sha256Hex(overrideUrl + _hashedApiKey)))
            {
                return (null, "the temporary token names a cloud API URL without a valid checksum");
            }

            if (!Uri.TryCreate(overrideUrl, UriKind.Absolute, out Uri? named) || named.Scheme is not ("https" or "http"))
            {
                return (null, "the temporary token's cloud API URL is not an http(s) URL");
            }

            cloud = named;
        }

        if (_apiKey.Length == 0)
        {
            return (null, NoKey("a temporary token cannot be exchanged"));
        }

        string hash = CloudCall.Sha256Hex(token);
        if (!Remember(hash))
        {
            return (null, "the temporary token was exchanged already (a replay)");
        }

        using var content = new ByteArrayContent(Exchange(token));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cloud, "/api/auth/exchange-user-token")) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, "the cloud refused the temporary token (" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + ")");
            }

            using JsonDocument answer = JsonDocument.Parse(body);
            return answer.RootElement.ValueKind == JsonValueKind.Object
                && answer.RootElement.TryGetProperty("success", out JsonElement success) && success.ValueKind == JsonValueKind.True
                && answer.RootElement.TryGetProperty("userId", out JsonElement user) && user.ValueKind == JsonValueKind.String && user.GetString() is { Length: > 0 } userId
                ? (userId, null)
                : (null, "the cloud's answer to the exchange names no user");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (e is not JsonException)
            {
                Forget(hash); // the cloud never answered: the same token may be tried again, as the cloud has not used it
            }

            return (null, "the exchange with the cloud failed (" + (e is JsonException ? "its answer is not JSON" : e is TaskCanceledException ? "timed out" : "unreachable") + ")");
        }
        catch (OperationCanceledException)
        {
            Forget(hash); // the browser went away before the cloud answered
            throw;
        }
    }

    /// <summary>A frontend token: <c>userId:hex(SHA256(userId + hex(SHA256(apiKey))))</c>.</summary>
    public string FrontendToken(string userId) => userId + ":" + CloudCall.Sha256Hex(userId + _hashedApiKey);

    /// <summary>The user of a frontend token, or why not.</summary>
    public (string? UserId, string? Failure) FrontendTokenOf(string token)
    {
        if (_apiKey.Length == 0)
        {
            return (null, NoKey("a frontend token cannot be checked"));
        }

        int colon = token.LastIndexOf(':');
        if (colon <= 0)
        {
            return (null, "the frontend token is malformed");
        }

        string userId = token.Substring(0, colon);
        return FixedTimeEquals(token.Substring(colon + 1), CloudCall.Sha256Hex(userId + _hashedApiKey)) ? (userId, null) : (null, "the frontend token is not signed with this app's key");
    }

    /// <summary>Whether a bearer token has a frontend token's form (<c>user:64 hex digits</c>); another scheme's token is left alone.</summary>
    public static bool LooksLikeFrontendToken(string token)
    {
        int colon = token.LastIndexOf(':');
        if (colon <= 0 || token.Length - colon - 1 != 64)
        {
            return false;
        }

        for (int i = colon + 1; i < token.Length; i++)
        {
            if (!char.IsAsciiHexDigit(token[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether session cookies can be signed: there is a secret (the API key, or one of the app's own).</summary>
    public bool SignsCookies => _cookieSecrets.Length > 0;

    /// <summary>A session cookie for <paramref name="userId"/>: <c>userId|epochMs|hex(HMAC-SHA256(secret, "userId|epochMs"))</c>.</summary>
    public string Cookie(string userId)
    {
        string data = userId + "|" + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return data + "|" + Convert.ToHexStringLower(HMACSHA256.HashData(_cookieSecrets[0], Encoding.UTF8.GetBytes(data)));
    }

    /// <summary>The user of a session cookie (signed with either secret, within its lifetime), whether to sign it anew, or why not.</summary>
    public (string? UserId, bool Renew, string? Failure) CookieOf(string cookie)
    {
        if (_cookieSecrets.Length == 0)
        {
            return (null, false, NoKey("a session cookie cannot be checked"));
        }

        string[] parts = cookie.Split('|');
        if (parts.Length != 3 || parts[0].Length == 0 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long issued))
        {
            return (null, false, "the session cookie is malformed");
        }

        DateTimeOffset at;
        try
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds(issued);
        }
        catch (ArgumentOutOfRangeException)
        {
            return (null, false, "the session cookie is malformed");
        }

        byte[] data = Encoding.UTF8.GetBytes(parts[0] + "|" + parts[1]);
        for (int i = 0; i < _cookieSecrets.Length; i++)
        {
            if (FixedTimeEquals(parts[2], Convert.ToHexStringLower(HMACSHA256.HashData(_cookieSecrets[i], data))))
            {
                TimeSpan age = _time.GetUtcNow() - at;
                return age > CookieLifetime || age < -_skew
                    ? (null, false, "the session cookie has expired")
                    : (parts[0], i > 0, null);
            }
        }

        return (null, false, "the session cookie's signature does not match (tampered, or signed with another secret)");
    }

    public void Dispose()
    {
        _http.Dispose();
        _rsa.Dispose();
    }

    private static string NoKey(string what) => "the app's API key is not set (MENTRAOS_API_KEY), so " + what;


    private byte[] Exchange(string token)
    {
        var buffer = new System.IO.MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("aos_temp_token", token);
            json.WriteString("packageName", _packageName);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Remembers an exchanged temporary token; false when it was exchanged within <see cref="ExchangedMemory"/>.</summary>
    private bool Remember(string hash)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_exchanged)
        {
            while (_exchangedOrder.Count > 0 && (_exchangedOrder.Count >= MaxRemembered || now - _exchangedOrder.Peek().At > ExchangedMemory))
            {
                (string old, DateTimeOffset at) = _exchangedOrder.Dequeue();
                if (_exchanged.TryGetValue(old, out DateTimeOffset when) && when == at)
                {
                    _exchanged.Remove(old);
                }
            }

            if (_exchanged.ContainsKey(hash))
            {
                return false;
            }

            _exchanged[hash] = now;
            _exchangedOrder.Enqueue((hash, now));
            return true;
        }
    }

    /// <summary>Forgets a temporary token whose exchange never reached an answer.</summary>
    private void Forget(string hash)
    {
        lock (_exchanged)
        {
            _exchanged.Remove(hash);
        }
    }

    private bool Lifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        DateTime now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("no expiry");
        }

        if (notBefore is { } start && start > now + skew)
        {
            throw new SecurityTokenNotYetValidException("not yet valid");
        }

        return expires.Value >= now - skew ? true : throw new SecurityTokenExpiredException("expired");
    }

    private static bool FixedTimeEquals(string sent, string expected) =>
        sent.Length == expected.Length && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent.ToLowerInvariant()), Encoding.ASCII.GetBytes(expected));
}
