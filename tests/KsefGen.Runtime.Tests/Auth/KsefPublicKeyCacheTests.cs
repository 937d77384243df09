using System.Net;
using System.Security.Cryptography;
using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Tests.Http;
using KsefGen.Runtime.Tests.Sending;

namespace KsefGen.Runtime.Tests.Auth;

public sealed class KsefPublicKeyCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Now = FakeKsefApi.Now;

    private static (KsefPublicKeyCache Cache, FakeKsefApi Api, InstantTimeProvider Clock) Cache(Func<int, object[]> entriesByFetch)
    {
        var api = new FakeKsefApi().ServeKeys(entriesByFetch);
        var clock = new InstantTimeProvider();
        return (new KsefPublicKeyCache(new HttpClient(api), HttpTestKit.Base, clock), api, clock);
    }

    [Fact]
    public async Task Keys_are_fetched_once_and_reused_for_both_usages_while_valid()
    {
        var (cache, api, _) = Cache(_ => [MinistryKey.A.Entry()]);

        var token = await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);
        var again = await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);
        var symmetric = await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct);

        Assert.Equal(MinistryKey.A.Thumbprint, token.Certificate.Thumbprint);
        Assert.Same(token, again);
        Assert.Same(token, symmetric);
        Assert.Equal(MinistryKey.A.PublicKeyId, token.PublicKeyId);
        Assert.Equal([KsefPublicKeyUsage.KsefTokenEncryption, KsefPublicKeyUsage.SymmetricKeyEncryption], token.Usages);
        Assert.Equal(1, api.KeyFetches);
        Assert.Equal(1, cache.Fetches);
        Assert.Null(Assert.Single(api.Calls).Authorization);
    }

    [Fact]
    public async Task A_key_past_its_validTo_is_not_used_and_the_certificates_are_fetched_again()
    {
        var (cache, api, clock) = Cache(n => n == 0
            ? [MinistryKey.A.Entry(Now.AddDays(-30), Now.AddHours(1), "SymmetricKeyEncryption")]
            : [MinistryKey.A.Entry(Now.AddDays(-30), Now.AddHours(1), "SymmetricKeyEncryption"), MinistryKey.B.Entry(Now, Now.AddDays(365), "SymmetricKeyEncryption")]);

        var first = await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct);
        clock.Now = Now.AddHours(1); // validTo is exclusive
        var later = await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct);

        Assert.Equal(MinistryKey.A.Thumbprint, first.Certificate.Thumbprint);
        Assert.Equal(MinistryKey.B.Thumbprint, later.Certificate.Thumbprint);
        Assert.Equal(2, api.KeyFetches);
    }

    [Fact]
    public async Task When_the_refetched_list_still_has_only_expired_keys_the_error_names_the_usage_and_the_time()
    {
        var (cache, _, clock) = Cache(_ => [MinistryKey.A.Entry(Now.AddDays(-30), Now.AddHours(1), "KsefTokenEncryption")]);
        await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);
        clock.Now = Now.AddDays(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct));

        Assert.Contains("KsefTokenEncryption", error.Message, StringComparison.Ordinal);
        Assert.Contains(clock.Now.ToString("u", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Equal(2, cache.Fetches);
    }

    [Fact]
    public async Task Of_two_valid_keys_the_later_expiring_is_used_and_one_not_yet_valid_is_ignored()
    {
        var (cache, _, _) = Cache(_ =>
        [
            MinistryKey.A.Entry(Now.AddDays(-30), Now.AddDays(10), "SymmetricKeyEncryption"),
            MinistryKey.B.Entry(Now.AddDays(-1), Now.AddDays(200), "SymmetricKeyEncryption"),
            MinistryKey.C.Entry(Now.AddDays(1), Now.AddDays(900), "SymmetricKeyEncryption"),
        ]);

        var key = await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct);

        Assert.Equal(MinistryKey.B.Thumbprint, key.Certificate.Thumbprint);
        Assert.Equal(Now.AddDays(200), key.ValidTo);
    }

    [Fact]
    public async Task Keys_only_for_the_other_usage_fail_with_an_InvalidOperationException_naming_the_usage()
    {
        var (cache, api, _) = Cache(_ => [MinistryKey.A.Entry(Now.AddDays(-1), Now.AddDays(365), "SymmetricKeyEncryption"), MinistryKey.B.Entry(Now.AddDays(-1), Now.AddDays(365), "SomethingNew")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct));

        Assert.Contains("no public key certificate for KsefTokenEncryption", error.Message, StringComparison.Ordinal);
        Assert.Contains("listed 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, api.KeyFetches);
        // The symmetric key of the same list is still there to use.
        Assert.Equal(MinistryKey.A.Thumbprint, (await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct)).Certificate.Thumbprint);
    }

    [Fact]
    public async Task Concurrent_GetAsync_calls_fetch_the_certificates_once()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var api = new FakeKsefApi().OnAsync(HttpMethod.Get, "security/public-key-certificates", async (_, _) =>
        {
            arrived.TrySetResult();
            await release.Task;
            return FakeKsefApi.Json(HttpStatusCode.OK, new[] { MinistryKey.A.Entry() });
        });
        var cache = new KsefPublicKeyCache(new HttpClient(api), HttpTestKit.Base, new InstantTimeProvider());

        var callers = Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => cache.GetAsync(i % 2 == 0 ? KsefPublicKeyUsage.KsefTokenEncryption : KsefPublicKeyUsage.SymmetricKeyEncryption, Ct), Ct))
            .ToList();
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Task.Delay(100, Ct); // let the other callers queue up behind the first fetch
        release.SetResult();
        var keys = await Task.WhenAll(callers);

        Assert.Equal(1, api.KeyFetches);
        Assert.Equal(1, cache.Fetches);
        Assert.All(keys, k => Assert.Same(keys[0], k));
    }

    [Fact]
    public async Task Invalidate_makes_the_next_GetAsync_fetch_again()
    {
        var (cache, api, _) = Cache(n => n == 0 ? [MinistryKey.A.Entry()] : [MinistryKey.B.Entry()]);

        var before = await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);
        cache.Invalidate();
        var after = await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);

        Assert.Equal(MinistryKey.A.Thumbprint, before.Certificate.Thumbprint);
        Assert.Equal(MinistryKey.B.Thumbprint, after.Certificate.Thumbprint);
        Assert.Equal(2, api.KeyFetches);
    }

    [Fact]
    public async Task Encrypt_is_RSA_OAEP_with_SHA256_under_the_certificate_key_and_differs_each_time()
    {
        var (cache, _, _) = Cache(_ => [MinistryKey.A.Entry()]);
        var key = await cache.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, Ct);
        var secret = RandomNumberGenerator.GetBytes(32);

        var once = key.Encrypt(secret);
        var twice = key.Encrypt(secret);

        Assert.Equal(256, once.Length);
        Assert.NotEqual(once, twice); // OAEP is randomised
        Assert.Equal(secret, MinistryKey.A.Decrypt(once));
        Assert.Equal(secret, MinistryKey.A.Decrypt(twice));
    }

    [Fact]
    public async Task A_failed_fetch_is_a_KsefRequestException_and_is_not_cached()
    {
        var api = new FakeKsefApi().On(HttpMethod.Get, "security/public-key-certificates", (_, n) => n == 0
            ? FakeNetwork.Html(HttpStatusCode.BadGateway)
            : FakeKsefApi.Json(HttpStatusCode.OK, new[] { MinistryKey.A.Entry() }));
        var cache = new KsefPublicKeyCache(new HttpClient(api), HttpTestKit.Base, new InstantTimeProvider());

        var error = await Assert.ThrowsAsync<KsefGen.Runtime.Api.KsefRequestException>(() => cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct));
        var key = await cache.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(MinistryKey.A.Thumbprint, key.Certificate.Thumbprint);
        Assert.Equal(1, cache.Fetches);
        Assert.Equal(2, api.KeyFetches);
    }
}
