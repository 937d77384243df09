using System.Globalization;
using System.Net;
using System.Text;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Tests.Http;
using KsefGen.Runtime.Tests.Sending;

namespace KsefGen.Runtime.Tests.Auth;

public sealed class KsefAuthenticatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string KsefToken = "20261120-EC-0123456789-ABCDEF0123|nip-5261040828|0123456789abcdef";
    private const string Reference = "20261120-AU-1234567890-ABCDEF1234-01";
    private const string AuthToken = "authentication-jwt";

    private static string Challenge(int n) => $"20261120-CR-{n:D10}-ABCDEF1234-0{n}";

    private static long TimestampMs(int n) => FakeKsefApi.Now.ToUnixTimeMilliseconds() + (n * 1000) + 123;

    /// <summary>KSeF answering the whole flow; status polls answer <paramref name="statuses"/> in turn (the last one repeats).</summary>
    private static FakeKsefApi Ksef(params Func<HttpResponseMessage>[] statuses)
    {
        var api = new FakeKsefApi()
            .ServeKeys(MinistryKey.A.Entry())
            .On(HttpMethod.Post, "auth/challenge", (_, n) => FakeKsefApi.Json(HttpStatusCode.OK, new
            {
                challenge = Challenge(n + 1),
                timestamp = DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs(n + 1)),
                timestampMs = TimestampMs(n + 1),
                clientIp = "192.0.2.10",
            }))
            .On(HttpMethod.Post, "auth/ksef-token", (_, _) => FakeKsefApi.Json(HttpStatusCode.Accepted, new
            {
                referenceNumber = Reference,
                authenticationToken = new { token = AuthToken, validUntil = FakeKsefApi.Now.AddMinutes(15) },
            }))
            .On(HttpMethod.Get, $"auth/{Reference}", (_, n) => statuses[Math.Min(n, statuses.Length - 1)]())
            .On(HttpMethod.Post, "auth/token/redeem", (_, _) => FakeKsefApi.Json(HttpStatusCode.OK, new
            {
                accessToken = new { token = "access-jwt", validUntil = FakeKsefApi.Now.AddMinutes(15) },
                refreshToken = new { token = "refresh-jwt", validUntil = FakeKsefApi.Now.AddDays(7) },
            }));
        return api;
    }

    private static Func<HttpResponseMessage> Status(int code, string? description = null, params string[] details) =>
        () => FakeKsefApi.Json(HttpStatusCode.OK, new
        {
            startDate = FakeKsefApi.Now,
            status = new { code, description = description ?? $"Status {code}", details = details.Length == 0 ? null : details },
        });

    private static KsefAuthenticator Authenticator(FakeKsefApi api, Action<KsefAuthenticatorOptions>? configure = null)
    {
        var clock = new InstantTimeProvider();
        var options = new KsefAuthenticatorOptions { TimeProvider = clock };
        // Keep the default polling (including RetryAfter); only its clock is made instant.
        options.Polling.TimeProvider = clock;
        configure?.Invoke(options);
        return new KsefAuthenticator(new HttpClient(api) { BaseAddress = HttpTestKit.Base }, options);
    }

    [Fact]
    public async Task Ksef_token_is_encrypted_with_the_challenge_timestamp_status_is_polled_and_the_tokens_redeemed_with_the_authentication_token()
    {
        var api = Ksef(Status(100, "Uwierzytelnianie w toku"), Status(200, "Uwierzytelnianie zakończone sukcesem"));

        var session = await Authenticator(api).AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct);

        var request = Assert.Single(api.CallsTo(HttpMethod.Post, "auth/ksef-token")).Json();
        Assert.Equal(Challenge(1), request.GetProperty("challenge").GetString());
        Assert.Equal("Nip", request.GetProperty("contextIdentifier").GetProperty("type").GetString());
        Assert.Equal(FakeKsefApi.Nip, request.GetProperty("contextIdentifier").GetProperty("value").GetString());
        Assert.Equal(MinistryKey.A.PublicKeyId, request.GetProperty("publicKeyId").GetBytesFromBase64());
        Assert.False(request.TryGetProperty("authorizationPolicy", out _), "no IP restriction was asked for");
        var plain = Encoding.UTF8.GetString(MinistryKey.A.Decrypt(request.GetProperty("encryptedToken").GetBytesFromBase64()));
        Assert.Equal($"{KsefToken}|{TimestampMs(1).ToString(CultureInfo.InvariantCulture)}", plain);

        var polls = api.CallsTo(HttpMethod.Get, $"auth/{Reference}");
        Assert.Equal(2, polls.Count);
        Assert.All(polls, p => Assert.Equal($"Bearer {AuthToken}", p.Authorization));
        var redeem = Assert.Single(api.CallsTo(HttpMethod.Post, "auth/token/redeem"));
        Assert.Equal($"Bearer {AuthToken}", redeem.Authorization);
        Assert.Null(api.CallsTo(HttpMethod.Post, "auth/challenge")[0].Authorization);

        Assert.Equal("access-jwt", session.AccessToken.Token);
        Assert.Equal(FakeKsefApi.Now.AddMinutes(15), session.AccessToken.ValidUntil);
        Assert.Equal("refresh-jwt", session.RefreshToken?.Token);
        Assert.Equal(FakeKsefApi.Now.AddDays(7), session.RefreshToken?.ValidUntil);
        Assert.Equal("access-jwt", await session.GetAccessTokenAsync(Ct));
        Assert.Equal(["POST auth/challenge", "GET security/public-key-certificates", "POST auth/ksef-token", $"GET auth/{Reference}", $"GET auth/{Reference}", "POST auth/token/redeem"],
            api.Calls.Select(c => $"{c.Method} {HttpTestKit.Base.MakeRelativeUri(c.Url)}"));
    }

    [Fact]
    public async Task Allowed_ips_are_sent_as_an_authorization_policy_split_into_addresses_ranges_and_masks()
    {
        var api = Ksef(Status(200));
        var authenticator = Authenticator(api, o =>
        {
            o.AllowedIps.Add("192.0.2.1");
            o.AllowedIps.Add("192.0.2.10-192.0.2.20");
            o.AllowedIps.Add("198.51.100.0/24");
        });

        await authenticator.AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct);

        var ips = Assert.Single(api.CallsTo(HttpMethod.Post, "auth/ksef-token")).Json().GetProperty("authorizationPolicy").GetProperty("allowedIps");
        Assert.Equal(["192.0.2.1"], ips.GetProperty("ip4Addresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["192.0.2.10-192.0.2.20"], ips.GetProperty("ip4Ranges").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["198.51.100.0/24"], ips.GetProperty("ip4Masks").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Unknown_public_key_21470_once_invalidates_the_keys_fetches_them_again_takes_a_fresh_challenge_and_succeeds()
    {
        var api = Ksef(Status(200));
        // The Ministry rotated its key: the first list still has A, the second has only B.
        api.ServeKeys(n => n == 0 ? [MinistryKey.A.Entry()] : [MinistryKey.B.Entry()]);
        api.On(HttpMethod.Post, "auth/ksef-token", (_, n) => n == 0
            ? FakeKsefApi.LegacyError(21470, "Nieznany klucz publiczny.")
            : FakeKsefApi.Json(HttpStatusCode.Accepted, new
            {
                referenceNumber = Reference,
                authenticationToken = new { token = AuthToken, validUntil = FakeKsefApi.Now.AddMinutes(15) },
            }));
        var authenticator = Authenticator(api);

        var session = await authenticator.AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct);

        Assert.Equal("access-jwt", session.AccessToken.Token);
        Assert.Equal(2, api.KeyFetches);
        Assert.Equal(2, authenticator.PublicKeys.Fetches);
        Assert.Equal(2, api.CallsTo(HttpMethod.Post, "auth/challenge").Count);
        var attempts = api.CallsTo(HttpMethod.Post, "auth/ksef-token").Select(c => c.Json()).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(Challenge(1), attempts[0].GetProperty("challenge").GetString());
        Assert.Equal(Challenge(2), attempts[1].GetProperty("challenge").GetString());
        // The second attempt is encrypted with the new key and the new challenge's timestamp.
        Assert.Equal(MinistryKey.B.PublicKeyId, attempts[1].GetProperty("publicKeyId").GetBytesFromBase64());
        Assert.Equal($"{KsefToken}|{TimestampMs(2).ToString(CultureInfo.InvariantCulture)}",
            Encoding.UTF8.GetString(MinistryKey.B.Decrypt(attempts[1].GetProperty("encryptedToken").GetBytesFromBase64())));
        Assert.Single(api.CallsTo(HttpMethod.Post, "auth/token/redeem"));
    }

    [Fact]
    public async Task Unknown_public_key_21470_twice_fails_with_the_KSeF_error_after_one_retry()
    {
        var api = Ksef(Status(200));
        api.On(HttpMethod.Post, "auth/ksef-token", (_, _) => FakeKsefApi.LegacyError(21470, "Nieznany klucz publiczny.", "svc-21470"));

        var error = await Assert.ThrowsAsync<KsefRequestException>(() =>
            Authenticator(api).AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct));

        Assert.Equal(21470, error.ExceptionCode);
        Assert.NotNull(error.Info);
        Assert.True(error.Info.IsKnown);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("POST auth/ksef-token", error.Operation);
        Assert.Equal("svc-21470", error.TraceId);
        Assert.Equal(2, api.CallsTo(HttpMethod.Post, "auth/ksef-token").Count);
        Assert.Equal(2, api.CallsTo(HttpMethod.Post, "auth/challenge").Count);
        Assert.Equal(2, api.KeyFetches);
        Assert.Empty(api.CallsTo(HttpMethod.Get, $"auth/{Reference}"));
        Assert.Empty(api.CallsTo(HttpMethod.Post, "auth/token/redeem"));
    }

    [Theory]
    [InlineData(415, KsefStatusAction.CheckPermissions)]
    [InlineData(425, KsefStatusAction.AuthenticateAgain)]
    [InlineData(450, KsefStatusAction.AuthenticateAgain)]
    [InlineData(460, KsefStatusAction.AuthenticateAgain)]
    [InlineData(470, KsefStatusAction.ContactSupport)]
    [InlineData(480, KsefStatusAction.ContactSupport)]
    [InlineData(500, KsefStatusAction.AuthenticateAgain)]
    [InlineData(550, KsefStatusAction.AuthenticateAgain)]
    public async Task A_failure_status_ends_in_KsefAuthenticationException_with_the_status_and_its_advice_and_nothing_is_redeemed(int code, KsefStatusAction action)
    {
        var api = Ksef(Status(100), Status(code, $"Opis {code}", "Szczegół pierwszy.", "Szczegół drugi."));

        var error = await Assert.ThrowsAsync<KsefAuthenticationException>(() =>
            Authenticator(api).AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct));

        Assert.Equal(code, error.StatusCode);
        Assert.Equal($"Opis {code}", error.Description);
        Assert.Equal(["Szczegół pierwszy.", "Szczegół drugi."], error.Details);
        Assert.Equal(Reference, error.ReferenceNumber);
        Assert.Equal(KsefStatusSubject.Authentication, error.Advice.Subject);
        Assert.Equal(code, error.Advice.Code);
        Assert.True(error.Advice.IsKnownCode);
        Assert.True(error.Advice.IsTerminal);
        Assert.False(error.Advice.IsSuccess);
        Assert.Equal(action, error.Advice.Action);
        Assert.Contains(Reference, error.Message, StringComparison.Ordinal);
        Assert.Contains($"Opis {code}", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Advice.Meaning, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, api.CallsTo(HttpMethod.Get, $"auth/{Reference}").Count);
        Assert.Empty(api.CallsTo(HttpMethod.Post, "auth/token/redeem"));
    }

    [Fact]
    public async Task A_429_with_Retry_After_during_status_polling_is_waited_out_and_polling_continues()
    {
        var api = Ksef(
            Status(100),
            () =>
            {
                var limited = FakeKsefApi.Json(HttpStatusCode.TooManyRequests, new { title = "Too Many Requests", status = 429 });
                limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
                return limited;
            },
            Status(200));
        var progress = new RecordingProgress<KsefPollingProgress>();

        var session = await Authenticator(api, o => o.Progress = progress)
            .AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), KsefToken, Ct);

        Assert.Equal("access-jwt", session.AccessToken.Token);
        Assert.Equal(3, api.CallsTo(HttpMethod.Get, $"auth/{Reference}").Count);
        Assert.Single(api.CallsTo(HttpMethod.Post, "auth/token/redeem"));
        // The wait after the 429 is the one the server asked for, and the poll after it is the one that succeeded.
        Assert.Equal(new (int, int?)[] { (1, 100), (2, null), (3, 200) }, progress.Seen.Select(p => (p.Attempt, p.Code)));
        Assert.Equal(TimeSpan.FromSeconds(7), progress.Seen[1].NextDelay);
    }

    [Fact]
    public async Task A_context_without_a_value_or_an_empty_token_is_refused_before_any_request()
    {
        var api = Ksef(Status(200));
        var authenticator = Authenticator(api);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            authenticator.AuthenticateWithKsefTokenAsync(new KsefContextIdentifier(KsefContextIdentifierType.Nip, " "), KsefToken, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            authenticator.AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(FakeKsefApi.Nip), " ", Ct));
        Assert.Empty(api.Calls);
    }
}
