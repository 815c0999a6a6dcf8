using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Authentication;
using Mentra.Generated.Emulator;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tests.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mentra.Generated.Tests.Hosting;

/// <summary>
/// Webview sign-in through the whole ASP.NET Core pipeline (Kestrel on 127.0.0.1, authentication and authorization
/// middleware, <c>RequireAuthorization()</c>), with the emulator as the cloud: its signed user tokens, its temp-token
/// exchange. Every credential form, and every bad one, which is a 401 and a warning that names no secret.
/// </summary>
public sealed class WebviewAuthenticationTests
{
    private const string Alice = "alice@example.com";

    /// <summary>The emulator's key, read by the app's options when the first request authenticates (the emulator starts after the app).</summary>
    private sealed class CloudKey
    {
        public string? Pem { get; set; }
    }

    private sealed class Webview : IAsyncDisposable
    {
        public required SessionHarness Harness { get; init; }

        public required HttpClient Browser { get; init; }

        public CloudEmulator Cloud => Harness.Cloud;

        public async Task<(HttpStatusCode Status, string Body, string[] Cookies)> GetAsync(string pathAndQuery, string? cookie = null, string? bearer = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", cookie);
            }

            if (bearer is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            }

            using HttpResponseMessage response = await Browser.SendAsync(request);
            string[] cookies = response.Headers.TryGetValues("Set-Cookie", out IEnumerable<string>? set) ? set.ToArray() : [];
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), cookies);
        }

        public IEnumerable<string> Warnings => Harness.Host.Logs.Entries.Where(e => e.EventId == 49 && e.Category == "Mentra.Generated.Authentication").Select(e => e.Message);

        public async ValueTask DisposeAsync()
        {
            Browser.Dispose();
            await Harness.DisposeAsync();
        }
    }

    private static async Task<Webview> StartAsync(string environment = "Production", Action<MentraAuthenticationOptions>? configure = null, Action<MentraOptions>? app = null, bool requestLines = false)
    {
        var key = new CloudKey();
        SessionHarness harness = await SessionHarness.StartAsync<ServerCallTestApp>(
            configure: app,
            environment: environment,
            services: services =>
            {
                services.AddSingleton(key);
                if (requestLines)
                {
                    // What Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information in configuration adds, before AddMentra.
                    services.Configure<LoggerFilterOptions>(filters => filters.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information, null)));
                }

                services.AddAuthentication(MentraAuthenticationDefaults.AuthenticationScheme).AddMentra(configure);
                services.AddOptions<MentraAuthenticationOptions>(MentraAuthenticationDefaults.AuthenticationScheme).PostConfigure<CloudKey>((options, cloud) => options.UserTokenPublicKey ??= cloud.Pem);
                services.AddAuthorization();
            },
            map: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapMentraAuth();
                app.MapGet("/webview", (HttpContext context) =>
                {
                    AppSession? session = context.FindMentraSession();
                    return Results.Text($"user {context.User.GetMentraUserId()} via {context.User.FindFirst(MentraAuthenticationDefaults.CredentialClaimType)?.Value}, session {session?.SessionId ?? "none"}");
                }).RequireAuthorization();
                app.MapGet("/open", (HttpContext context) => Results.Text("anonymous " + (context.User.GetMentraUserId() ?? "-")));
            });
        key.Pem = harness.Cloud.Accounts.PublicKeyPem;
        return new Webview { Harness = harness, Browser = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = harness.Host.Address } };
    }

    private static string Cookie(string[] setCookies, string name) =>
        setCookies.Single(c => c.StartsWith(name + "=", StringComparison.Ordinal)).Split(';')[0];

    [Fact]
    public async Task A_signed_user_token_signs_the_user_in_with_a_secure_cookie_that_then_signs_them_in_alone()
    {
        await using Webview webview = await StartAsync();
        await webview.Harness.StartAliceAsync();

        var (status, body, cookies) = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));
        var again = await webview.GetAsync("/webview", cookie: Cookie(cookies, "org.example.tests-session"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("user alice@example.com via signed_user_token, session alice@example.com-org.example.tests", body);
        string set = Assert.Single(cookies);
        Assert.Contains("httponly", set, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", set, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=none", set, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=2592000", set, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via cookie, session alice@example.com-org.example.tests"), (again.Status, again.Body));
        Assert.Empty(again.Cookies); // a valid cookie is not sent again
    }

    [Fact]
    public async Task In_development_the_cookie_is_lax_and_not_secure_for_http()
    {
        await using Webview webview = await StartAsync("Development");

        var (status, _, cookies) = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("samesite=lax", Assert.Single(cookies), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookies[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_token_expired_within_the_grace_is_accepted_and_beyond_it_refused()
    {
        await using Webview webview = await StartAsync();
        DateTimeOffset now = DateTimeOffset.UtcNow;

        var inGrace = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice, TimeSpan.FromMinutes(10), now.AddMinutes(-11)));
        var expired = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice, TimeSpan.FromMinutes(10), now.AddMinutes(-13)));
        var future = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice, TimeSpan.FromMinutes(10), now.AddMinutes(5)));

        Assert.Equal(HttpStatusCode.OK, inGrace.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, future.Status);
        Assert.Contains(webview.Warnings, w => w.Contains("the signed user token is expired", StringComparison.Ordinal));
        Assert.Contains(webview.Warnings, w => w.Contains("the signed user token is issued in the future", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forged_wrongly_signed_and_malformed_user_tokens_are_refused_with_a_warning_that_holds_no_token()
    {
        await using Webview webview = await StartAsync();
        await using CloudEmulator other = await CloudEmulator.StartAsync(new EmulatorOptions { AppUrl = webview.Harness.Host.Address, PackageName = "org.example.tests", ApiKey = SessionHarness.ApiKey });
        string genuine = webview.Cloud.Accounts.SignUserToken(Alice);
        string[] parts = genuine.Split('.');
        string forgedClaims = parts[0] + "." + Base64Url("{\"sub\":\"mallory@example.com\",\"iss\":\"https://prod.augmentos.cloud\",\"exp\":9999999999}") + "." + parts[2];
        string none = Base64Url("{\"alg\":\"none\"}") + "." + parts[1] + ".";
        string hs256 = HmacToken(parts[1]);
        string[] bad =
        [
            other.Accounts.SignUserToken(Alice), // another key
            forgedClaims, // the claims changed under the cloud's signature
            webview.Cloud.Accounts.SignUserToken(Alice, issuer: "https://evil.example"),
            none,
            hs256,
            "not-a-jwt",
            "a.b.c",
        ];

        foreach (string token in bad)
        {
            var (status, body, cookies) = await webview.GetAsync("/webview?aos_signed_user_token=" + Uri.EscapeDataString(token));
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Empty(cookies);
            Assert.Empty(body);
        }

        Assert.NotEmpty(webview.Warnings);
        Assert.All(webview.Harness.Host.Logs.Entries, e => Assert.DoesNotContain(parts[2], e.Message, StringComparison.Ordinal));
        Assert.All(webview.Harness.Host.Logs.Entries, e => Assert.DoesNotContain(parts[1], e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(webview.Harness.Host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_temp_token_is_exchanged_once_with_the_cloud_named_by_its_checksum_and_a_replay_is_refused()
    {
        await using Webview webview = await StartAsync();
        string api = webview.Cloud.BaseUrl.GetLeftPart(UriPartial.Authority);
        string token = webview.Cloud.Accounts.IssueTempToken(Alice);
        string url = "/webview?aos_temp_token=" + token + "&cloudApiUrl=" + Uri.EscapeDataString(api) + "&cloudApiUrlChecksum=" + webview.Cloud.Accounts.CloudApiUrlChecksum(api);

        var first = await webview.GetAsync(url);
        var replay = await webview.GetAsync(url);

        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via temp_token, session none"), (first.Status, first.Body));
        Assert.Single(first.Cookies);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Equal(["200 alice@example.com"], webview.Cloud.Accounts.Exchanges); // the replay never reached the cloud
        Assert.Contains(webview.Warnings, w => w.Contains("exchanged already", StringComparison.Ordinal));
        Assert.All(webview.Harness.Host.Logs.Entries, e => Assert.False(e.Message.Contains(token, StringComparison.Ordinal), e.Category + ": " + e.Message));
    }

    [Fact]
    public async Task A_temp_token_whose_exchange_never_reached_the_cloud_can_be_tried_again()
    {
        await using Webview webview = await StartAsync();
        string token = webview.Cloud.Accounts.IssueTempToken(Alice);
        const string Closed = "http://127.0.0.1:9"; // nothing listens on the discard port
        string api = webview.Cloud.BaseUrl.GetLeftPart(UriPartial.Authority);

        var unreachable = await webview.GetAsync("/webview?aos_temp_token=" + token + "&cloudApiUrl=" + Uri.EscapeDataString(Closed) + "&cloudApiUrlChecksum=" + webview.Cloud.Accounts.CloudApiUrlChecksum(Closed));
        var retried = await webview.GetAsync("/webview?aos_temp_token=" + token + "&cloudApiUrl=" + Uri.EscapeDataString(api) + "&cloudApiUrlChecksum=" + webview.Cloud.Accounts.CloudApiUrlChecksum(api));

        Assert.Equal(HttpStatusCode.Unauthorized, unreachable.Status);
        Assert.Contains(webview.Warnings, w => w.Contains("the exchange with the cloud failed (unreachable)", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via temp_token, session none"), (retried.Status, retried.Body));
    }

    [Fact]
    public async Task A_temp_token_the_cloud_refuses_or_a_cloud_url_without_a_valid_checksum_is_refused_and_the_key_is_not_sent_there()
    {
        await using Webview webview = await StartAsync();
        string api = webview.Cloud.BaseUrl.GetLeftPart(UriPartial.Authority);
        string token = webview.Cloud.Accounts.IssueTempToken(Alice);

        var unknown = await webview.GetAsync("/webview?aos_temp_token=never-issued&cloudApiUrl=" + Uri.EscapeDataString(api) + "&cloudApiUrlChecksum=" + webview.Cloud.Accounts.CloudApiUrlChecksum(api));
        var forgedUrl = await webview.GetAsync("/webview?aos_temp_token=" + token + "&cloudApiUrl=" + Uri.EscapeDataString(api) + "&cloudApiUrlChecksum=" + new string('0', 64));
        var noChecksum = await webview.GetAsync("/webview?aos_temp_token=" + token + "&cloudApiUrl=" + Uri.EscapeDataString(api));

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedUrl.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, noChecksum.Status);
        Assert.Equal(["401 Invalid or expired token"], webview.Cloud.Accounts.Exchanges); // the forged URLs were never called
        Assert.Contains(webview.Warnings, w => w.Contains("the cloud refused the temporary token (401)", StringComparison.Ordinal));
        Assert.Contains(webview.Warnings, w => w.Contains("without a valid checksum", StringComparison.Ordinal));
        Assert.DoesNotContain(webview.Harness.Host.Logs.Entries, e => e.Message.Contains(SessionHarness.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_frontend_token_signs_in_from_the_header_or_the_query_and_the_init_route_issues_one()
    {
        await using Webview webview = await StartAsync();
        var init = await webview.GetAsync("/api/mentra/auth/init?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));
        string frontend = JsonDocument.Parse(init.Body).RootElement.GetProperty("frontendToken").GetString()!;
        var anonymousInit = await webview.GetAsync("/api/mentra/auth/init");

        var byHeader = await webview.GetAsync("/webview", bearer: frontend);
        var byQuery = await webview.GetAsync("/webview?aos_frontend_token=" + Uri.EscapeDataString(frontend));
        var forged = await webview.GetAsync("/webview", bearer: "mallory@example.com:" + frontend.Split(':')[1]);
        var otherScheme = await webview.GetAsync("/open", bearer: "eyJhbGciOi.some.jwt");

        Assert.Equal($$"""{"success":true,"userId":"alice@example.com","frontendToken":"{{frontend}}"}""", init.Body);
        Assert.Equal(frontend, Alice + ":" + Sha256Hex(Alice + Sha256Hex(SessionHarness.ApiKey))); // the incumbent's form
        Assert.Equal((HttpStatusCode.Unauthorized, """{"success":false,"error":"Not signed in: open the webview from the MentraOS app"}"""), (anonymousInit.Status, anonymousInit.Body));
        Assert.Equal("user alice@example.com via frontend_token, session none", byHeader.Body);
        Assert.Equal("user alice@example.com via frontend_token, session none", byQuery.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Equal("anonymous -", otherScheme.Body); // another scheme's bearer token is not ours to refuse
    }

    [Fact]
    public async Task A_tampered_or_expired_cookie_is_refused_and_cleared()
    {
        await using Webview webview = await StartAsync();
        var signedIn = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));
        string cookie = Cookie(signedIn.Cookies, "org.example.tests-session");
        string tampered = cookie.Replace("alice", "mallo", StringComparison.Ordinal);
        string old = OldCookie("org.example.tests-session", Alice, SessionHarness.ApiKey, DateTimeOffset.UtcNow.AddDays(-31));

        var refused = await webview.GetAsync("/webview", cookie: tampered);
        var expired = await webview.GetAsync("/webview", cookie: old);
        var garbage = await webview.GetAsync("/webview", cookie: "org.example.tests-session=%%%|x");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains(refused.Cookies, c => c.StartsWith("org.example.tests-session=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.Status);
        Assert.Contains(webview.Warnings, w => w.Contains("signature does not match", StringComparison.Ordinal));
        Assert.Contains(webview.Warnings, w => w.Contains("the session cookie has expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cookie_of_the_2_1_29_sdk_signs_in_and_moves_to_the_new_name_and_secret()
    {
        await using Webview webview = await StartAsync();
        string legacy = OldCookie("aos_session", Alice, "AOS_org.example.tests_" + SessionHarness.ApiKey[..Math.Min(8, SessionHarness.ApiKey.Length)], DateTimeOffset.UtcNow.AddDays(-2));

        var (status, body, cookies) = await webview.GetAsync("/webview", cookie: legacy);
        var after = await webview.GetAsync("/webview", cookie: Cookie(cookies, "org.example.tests-session"));

        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via cookie, session none"), (status, body));
        Assert.Contains(cookies, c => c.StartsWith("aos_session=;", StringComparison.Ordinal)); // the old one is cleared
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    [Fact]
    public async Task Without_a_credential_a_protected_page_is_the_challenge_and_an_open_one_sees_nobody()
    {
        await using Webview webview = await StartAsync();

        var protectedPage = await webview.GetAsync("/webview");
        var open = await webview.GetAsync("/open");
        var redirect = await webview.GetAsync("/mentra-auth");

        Assert.Equal(HttpStatusCode.Unauthorized, protectedPage.Status);
        Assert.Equal((HttpStatusCode.OK, "anonymous -"), (open.Status, open.Body));
        Assert.Equal(HttpStatusCode.Redirect, redirect.Status);
        Assert.Empty(webview.Warnings); // no credential is no failure
    }

    [Fact]
    public async Task A_bad_credential_falls_through_to_a_good_cookie_as_the_incumbent_does()
    {
        await using Webview webview = await StartAsync();
        var signedIn = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));

        var (status, body, _) = await webview.GetAsync("/webview?aos_signed_user_token=expired.or.bad", cookie: Cookie(signedIn.Cookies, "org.example.tests-session"));

        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via cookie, session none"), (status, body));
    }

    [Fact]
    public async Task Without_the_apps_key_only_the_clouds_own_tokens_sign_in_and_nothing_signed_with_an_empty_key_holds()
    {
        await using Webview webview = await StartAsync(app: options =>
        {
            options.ApiKey = null;
            options.ConnectAppSessions = false; // sessions need the key
        });
        string emptyKeyFrontend = Alice + ":" + Sha256Hex(Alice + Sha256Hex(string.Empty));
        string emptyKeyCookie = OldCookie("org.example.tests-session", Alice, string.Empty, DateTimeOffset.UtcNow);

        var signed = await webview.GetAsync("/webview?aos_signed_user_token=" + webview.Cloud.Accounts.SignUserToken(Alice));
        var frontend = await webview.GetAsync("/webview", bearer: emptyKeyFrontend);
        var cookie = await webview.GetAsync("/webview", cookie: emptyKeyCookie);

        Assert.Equal((HttpStatusCode.OK, "user alice@example.com via signed_user_token, session none"), (signed.Status, signed.Body));
        Assert.Empty(signed.Cookies); // no cookie can be signed without a secret
        Assert.Equal(HttpStatusCode.Unauthorized, frontend.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.Status);
        Assert.Contains(webview.Warnings, w => w.Contains("the app's API key is not set (MENTRAOS_API_KEY), so a frontend token cannot be checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_lines_that_would_print_the_tokens_are_hidden_unless_the_apps_configuration_asks_for_them()
    {
        await using (Webview hidden = await StartAsync())
        {
            await hidden.GetAsync("/webview?aos_signed_user_token=" + hidden.Cloud.Accounts.SignUserToken(Alice));
            Assert.DoesNotContain(hidden.Harness.Host.Logs.Entries, e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Level == LogLevel.Information);
        }

        await using Webview shown = await StartAsync(requestLines: true);
        await shown.GetAsync("/open");
        Assert.Contains(shown.Harness.Host.Logs.Entries, e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Message.StartsWith("Request starting", StringComparison.Ordinal));
    }

    private static string OldCookie(string name, string userId, string secret, DateTimeOffset at)
    {
        string data = userId + "|" + at.ToUnixTimeMilliseconds();
        string value = data + "|" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(data)));
        return name + "=" + Uri.EscapeDataString(value); // as Express's res.cookie writes it
    }

    private static string HmacToken(string payload)
    {
        string header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SessionHarness.ApiKey), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url(mac);
    }

    private static string Base64Url(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
