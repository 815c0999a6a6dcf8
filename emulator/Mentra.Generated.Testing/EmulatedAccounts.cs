using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Mentra.Generated.Emulator;

/// <summary>
/// The cloud's side of webview sign-in, on the emulator: it signs user tokens (RS256 JWTs, as the cloud's
/// <c>aos_signed_user_token</c>) with a key pair of its own, which an app trusts by configuration
/// (<see cref="PublicKeyPem"/> as <c>Mentra:UserTokenPublicKey</c>, or <c>MENTRAOS_CLOUD_USER_TOKEN_PUBLIC_KEY</c>),
/// and it issues temporary tokens (<c>aos_temp_token</c>) that the app exchanges once, server to server, with the app's
/// key (<c>POST /api/auth/exchange-user-token</c>).
/// </summary>
public sealed class EmulatedAccounts : IDisposable
{
    /// <summary>The issuer the cloud's user tokens carry.</summary>
    public const string Issuer = "https://prod.augmentos.cloud";

    /// <summary>How long a temporary token can be exchanged, as the cloud's.</summary>
    public static readonly TimeSpan TempTokenLifetime = TimeSpan.FromMinutes(1);

    private readonly RSA _key;
    private readonly bool _ownsKey;
    private readonly EmulatorOptions _options;
    private readonly ConcurrentDictionary<string, (string UserId, DateTimeOffset Expires)> _tempTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _exchanges = new();

    internal EmulatedAccounts(EmulatorOptions options)
    {
        _options = options;
        _ownsKey = options.UserTokenKey is null;
        _key = options.UserTokenKey ?? RSA.Create(2048);
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>The public key of the user tokens this emulator signs, as PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string PublicKeyPem { get; }

    /// <summary>What became of each exchange of a temporary token, in order: <c>200 alice@...</c>, <c>401 used</c>, ...</summary>
    public System.Collections.Generic.IReadOnlyCollection<string> Exchanges => _exchanges;

    /// <summary>
    /// A user token for <paramref name="userId"/> as the cloud signs it: RS256, <c>iss</c>, <c>sub</c>, <c>iat</c> and
    /// <c>exp</c> (<paramref name="lifetime"/> from <paramref name="issuedAt"/>, default now and 10 minutes).
    /// </summary>
    public string SignUserToken(string userId, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null, string issuer = Issuer)
    {
        DateTimeOffset iat = issuedAt ?? DateTimeOffset.UtcNow;
        string header = Base64Url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"u8);
        var payload = new System.IO.MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("sub", userId);
            json.WriteString("iss", issuer);
            json.WriteNumber("iat", iat.ToUnixTimeSeconds());
            json.WriteNumber("exp", (iat + (lifetime ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds());
            json.WriteEndObject();
        }

        string signed = header + "." + Base64Url(payload.ToArray());
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url(signature);
    }

    /// <summary>A temporary token for <paramref name="userId"/>, exchangeable once within <see cref="TempTokenLifetime"/>.</summary>
    public string IssueTempToken(string userId)
    {
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tempTokens[token] = (userId, DateTimeOffset.UtcNow + TempTokenLifetime);
        return token;
    }

    /// <summary>
    /// The checksum that lets a webview URL name this emulator as the cloud's API (<c>cloudApiUrlChecksum</c>):
    /// <c>hex(SHA256(cloudApiUrl + hex(SHA256(apiKey))))</c>.
    /// </summary>
    public string CloudApiUrlChecksum(string cloudApiUrl) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cloudApiUrl + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_options.ApiKey))))));

    /// <summary>
    /// <c>POST /api/auth/exchange-user-token</c>: <c>{"aos_temp_token":..,"packageName":..}</c> with
    /// <c>Authorization: Bearer &lt;apiKey&gt;</c>, answered <c>{"success":true,"userId":..}</c>; a wrong key is 401, a
    /// token that is unknown, used or expired is 401, another app's package is 403.
    /// </summary>
    internal async Task ExchangeAsync(HttpContext context)
    {
        string? token = null;
        string? packageName = null;
        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body).ConfigureAwait(false);
            token = body.RootElement.TryGetProperty("aos_temp_token", out JsonElement t) ? t.GetString() : null;
            packageName = body.RootElement.TryGetProperty("packageName", out JsonElement p) ? p.GetString() : null;
        }
        catch (JsonException)
        {
            await AnswerAsync(context, 400, "Malformed body").ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.Authorization.ToString() != "Bearer " + _options.ApiKey)
        {
            await AnswerAsync(context, 401, "Invalid API key").ConfigureAwait(false);
            return;
        }

        if (packageName != _options.PackageName)
        {
            await AnswerAsync(context, 403, "The token is not for this app").ConfigureAwait(false);
            return;
        }

        if (token is null || !_tempTokens.TryRemove(token, out (string UserId, DateTimeOffset Expires) issued) || issued.Expires < DateTimeOffset.UtcNow)
        {
            await AnswerAsync(context, 401, "Invalid or expired token").ConfigureAwait(false);
            return;
        }

        _exchanges.Enqueue("200 " + issued.UserId);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"success\":true,\"userId\":\"" + JsonEncodedText.Encode(issued.UserId) + "\"}").ConfigureAwait(false);
    }

    private async Task AnswerAsync(HttpContext context, int status, string error)
    {
        _exchanges.Enqueue(status + " " + error);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"success\":false,\"error\":\"" + error + "\"}").ConfigureAwait(false);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }
}
