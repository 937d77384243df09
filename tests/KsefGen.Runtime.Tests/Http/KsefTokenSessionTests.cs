using System.Net;
using KsefGen.Runtime.Http;
using static KsefGen.Runtime.Tests.Http.FakeNetwork;

namespace KsefGen.Runtime.Tests.Http;

public class KsefTokenSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RefreshAnswer(string token, DateTimeOffset until) =>
        $$$"""{"accessToken":{"token":"{{{token}}}","validUntil":"{{{until:O}}}"}}""";

    [Fact]
    public async Task A_token_far_from_expiry_is_used_as_is()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK, RefreshAnswer("fresh", clock.Now.AddMinutes(15))));
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("access", clock.Now.AddMinutes(10)), new KsefToken("refresh", clock.Now.AddDays(7)), clock);

        Assert.Equal("access", await session.GetAccessTokenAsync(Ct));
        Assert.Empty(network.Seen);
    }

    [Fact]
    public async Task A_token_near_expiry_is_refreshed_with_the_refresh_token_as_bearer()
    {
        var clock = new InstantTimeProvider();
        var until = clock.Now.AddMinutes(15);
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK, RefreshAnswer("fresh", until)));
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("access", clock.Now.AddSeconds(30)), new KsefToken("refresh", clock.Now.AddDays(7)), clock);
        KsefToken? raised = null;
        session.Refreshed += t => raised = t;

        Assert.Equal("fresh", await session.GetAccessTokenAsync(Ct));

        var seen = Assert.Single(network.Seen);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal("/v2/auth/token/refresh", seen.Path);
        Assert.Equal("Bearer refresh", seen.Authorization);
        Assert.Equal(new KsefToken("fresh", until), session.AccessToken);
        Assert.Equal(session.AccessToken, raised);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_refresh()
    {
        var clock = new InstantTimeProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var network = new FakeNetwork(async (_, _) =>
        {
            await release.Task;
            return Json(HttpStatusCode.OK, RefreshAnswer("fresh", clock.Now.AddMinutes(15)));
        });
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("stale", clock.Now.AddSeconds(5)), new KsefToken("refresh", clock.Now.AddDays(7)), clock);

        // Half ask for a token (near expiry), half report a 401 on the stale one; all are waiting before the refresh answers.
        var calls = Enumerable.Range(0, 10)
            .Select(i => i % 2 == 0
                ? session.GetAccessTokenAsync(Ct).AsTask()
                : session.RefreshAccessTokenAsync("stale", Ct).AsTask()!)
            .ToList();
        release.SetResult();
        var tokens = await Task.WhenAll(calls);

        Assert.All(tokens, t => Assert.Equal("fresh", t));
        Assert.Single(network.Seen);
    }

    [Fact]
    public async Task A_401_on_an_already_replaced_token_returns_the_current_one_without_refreshing()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK, RefreshAnswer("second", clock.Now.AddMinutes(15))));
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("first", clock.Now.AddMinutes(10)), new KsefToken("refresh", clock.Now.AddDays(7)), clock);

        Assert.Equal("second", await session.RefreshAccessTokenAsync("first", Ct));
        Assert.Equal("second", await session.RefreshAccessTokenAsync("first", Ct));
        Assert.Single(network.Seen);
    }

    [Fact]
    public async Task Without_a_usable_refresh_token_nothing_is_refreshed()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK, RefreshAnswer("x", clock.Now.AddMinutes(15))));
        using var http = new HttpClient(network);
        using var none = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base), new KsefToken("a", clock.Now.AddSeconds(1)), null, clock);
        using var expired = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("b", clock.Now.AddSeconds(1)), new KsefToken("refresh", clock.Now.AddSeconds(-1)), clock);

        Assert.Equal("a", await none.GetAccessTokenAsync(Ct));
        Assert.Null(await none.RefreshAccessTokenAsync("a", Ct));
        Assert.Equal("b", await expired.GetAccessTokenAsync(Ct));
        Assert.Null(await expired.RefreshAccessTokenAsync("b", Ct));
        Assert.Empty(network.Seen);
    }

    [Fact]
    public async Task A_failed_refresh_throws_with_the_status()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork(() => Json(HttpStatusCode.Unauthorized, "{\"status\":401}"));
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("a", clock.Now.AddMinutes(10)), new KsefToken("refresh", clock.Now.AddDays(1)), clock);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => session.RefreshAccessTokenAsync("a", Ct).AsTask());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("a", session.AccessToken.Token);
    }

    [Fact]
    public async Task Through_the_client_a_401_refreshes_the_session_and_the_call_succeeds()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork((request, _) => Task.FromResult(request.RequestUri!.AbsolutePath.EndsWith("/auth/token/refresh", StringComparison.Ordinal)
            ? Json(HttpStatusCode.OK, RefreshAnswer("fresh", clock.Now.AddMinutes(15)))
            : Json(request.Headers.Authorization?.Parameter == "fresh" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized)));
        using var http = new HttpClient(network);
        using var session = new KsefTokenSession(http, KsefEnvironment.Custom(HttpTestKit.Base),
            new KsefToken("revoked", clock.Now.AddMinutes(10)), new KsefToken("refresh", clock.Now.AddDays(7)), clock);
        var (client, _, services) = HttpTestKit.Build(network, session);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer revoked", "Bearer refresh", "Bearer fresh"], network.Seen.Select(s => s.Authorization));
    }
}
