using System.Net;
using System.Net.Http.Headers;
using KsefGen.Runtime.Http;
using static KsefGen.Runtime.Tests.Http.FakeNetwork;

namespace KsefGen.Runtime.Tests.Http;

public class KsefHttpPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bearer_and_problem_details_are_sent_and_base_address_is_the_environment()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK));
        var (client, _, services) = HttpTestKit.Build(network, new SequenceTokens("t1"));
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        var seen = Assert.Single(network.Seen);
        Assert.Equal("/v2/sessions", seen.Path);
        Assert.Equal("Bearer t1", seen.Authorization);
        Assert.Equal("problem-details", seen.ErrorFormat);
    }

    [Fact]
    public async Task Problem_details_header_can_be_turned_off_and_no_provider_means_no_bearer()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK));
        var (client, _, services) = HttpTestKit.Build(network, configure: o => o.ProblemDetails = false);
        using var _ = services;

        using var response = await client.Http.GetAsync("security/public-key-certificates", Ct);

        var seen = Assert.Single(network.Seen);
        Assert.Null(seen.ErrorFormat);
        Assert.Null(seen.Authorization);
    }

    [Fact]
    public async Task Post_429_with_retry_after_seconds_is_retried_after_that_wait_with_the_same_body()
    {
        var network = new FakeNetwork(
            () => { var r = Json(HttpStatusCode.TooManyRequests); r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)); return r; },
            () => Json(HttpStatusCode.Created));
        var (client, retries, services) = HttpTestKit.Build(network);
        using var _ = services;

        using var response = await client.Http.PostAsync("sessions/online", new StringContent("{\"a\":1}"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["{\"a\":1}", "{\"a\":1}"], network.Seen.Select(s => s.Body));
        var retry = Assert.Single(retries);
        Assert.Equal(HttpStatusCode.TooManyRequests, retry.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.Delay);
    }

    [Fact]
    public async Task A_429_with_an_http_date_waits_until_that_date()
    {
        var clock = new InstantTimeProvider();
        var network = new FakeNetwork(
            () => { var r = Json(HttpStatusCode.TooManyRequests); r.Headers.RetryAfter = new RetryConditionHeaderValue(clock.Now.AddSeconds(42)); return r; },
            () => Json(HttpStatusCode.OK));
        var (client, retries, services) = HttpTestKit.Build(network, configure: o => o.TimeProvider = clock);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, network.Seen.Count);
        Assert.Equal(TimeSpan.FromSeconds(42), Assert.Single(retries).Delay);
    }

    [Fact]
    public async Task A_429_asking_longer_than_the_limit_goes_back_to_the_caller()
    {
        var network = new FakeNetwork(() => { var r = Json(HttpStatusCode.TooManyRequests); r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1)); return r; });
        var (client, retries, services) = HttpTestKit.Build(network);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Single(network.Seen);
        Assert.Empty(retries);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Get_transient_5xx_is_retried_then_succeeds(HttpStatusCode status)
    {
        var network = new FakeNetwork(() => Json(status), () => Json(HttpStatusCode.OK, "{\"ok\":true}"));
        var (client, retries, services) = HttpTestKit.Build(network, configure: o => o.Retry.BaseDelay = TimeSpan.FromSeconds(2));
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions/x", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, network.Seen.Count);
        var retry = Assert.Single(retries);
        Assert.Equal(status, retry.StatusCode);
        // No Retry-After: the jittered backoff decides, within its cap.
        Assert.InRange(retry.Delay, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Post_503_is_not_retried()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.ServiceUnavailable), () => Json(HttpStatusCode.Created));
        var (client, retries, services) = HttpTestKit.Build(network);
        using var _ = services;

        using var response = await client.Http.PostAsync("sessions/online", new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(network.Seen);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Html_502_page_is_retried_on_get_not_on_post()
    {
        var getNetwork = new FakeNetwork(() => Html(HttpStatusCode.BadGateway), () => Json(HttpStatusCode.OK));
        var (getClient, _, getServices) = HttpTestKit.Build(getNetwork);
        using var a = getServices;
        using (var response = await getClient.Http.GetAsync("sessions", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(2, getNetwork.Seen.Count);

        var postNetwork = new FakeNetwork(() => Html(HttpStatusCode.BadGateway), () => Json(HttpStatusCode.OK));
        var (postClient, _, postServices) = HttpTestKit.Build(postNetwork);
        using var b = postServices;
        using (var response = await postClient.Http.PostAsync("sessions/online", new StringContent("{}"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Single(postNetwork.Seen);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_failure_is_returned()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.ServiceUnavailable));
        var (client, retries, services) = HttpTestKit.Build(network, configure: o => o.Retry.MaxRetryAttempts = 2);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, network.Seen.Count);
        Assert.Equal([0, 1], retries.Select(r => r.AttemptNumber));
    }

    [Fact]
    public async Task Backoff_without_jitter_doubles()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.ServiceUnavailable));
        var (client, retries, services) = HttpTestKit.Build(network, configure: o =>
        {
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.UseJitter = false;
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        });
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], retries.Select(r => r.Delay));
    }

    [Fact]
    public async Task Transport_failure_is_retried_on_get_not_on_post()
    {
        var getNetwork = new FakeNetwork((_, n) => n == 0 ? throw new HttpRequestException("connection reset") : Task.FromResult(Json(HttpStatusCode.OK)));
        var (getClient, getRetries, getServices) = HttpTestKit.Build(getNetwork);
        using var a = getServices;
        using (var response = await getClient.Http.GetAsync("sessions", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.IsType<HttpRequestException>(Assert.Single(getRetries).Exception);

        var postNetwork = new FakeNetwork((_, n) => n == 0 ? throw new HttpRequestException("connection reset") : Task.FromResult(Json(HttpStatusCode.OK)));
        var (postClient, _, postServices) = HttpTestKit.Build(postNetwork);
        using var b = postServices;
        await Assert.ThrowsAsync<HttpRequestException>(() => postClient.Http.PostAsync("sessions/online", new StringContent("{}"), Ct));
        Assert.Single(postNetwork.Seen);
    }

    [Fact]
    public async Task A_401_gets_a_new_token_and_one_retry_with_the_same_body()
    {
        var tokens = new SequenceTokens("old", "new");
        var network = new FakeNetwork((request, _) => Task.FromResult(Json(
            request.Headers.Authorization?.Parameter == "new" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized)));
        var (client, retries, services) = HttpTestKit.Build(network, tokens);
        using var _ = services;

        using var response = await client.Http.PostAsync("sessions/online", new StringContent("{\"b\":2}"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer old", "Bearer new"], network.Seen.Select(s => s.Authorization));
        Assert.Equal(["{\"b\":2}", "{\"b\":2}"], network.Seen.Select(s => s.Body));
        Assert.Equal(1, tokens.Refreshes);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task A_second_401_is_returned_not_looped()
    {
        var tokens = new SequenceTokens("old", "new", "newer");
        var network = new FakeNetwork(() => Json(HttpStatusCode.Unauthorized));
        var (client, _, services) = HttpTestKit.Build(network, tokens);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["Bearer old", "Bearer new"], network.Seen.Select(s => s.Authorization));
        Assert.Equal(1, tokens.Refreshes);
    }

    [Fact]
    public async Task A_401_without_a_new_token_is_returned()
    {
        var tokens = new SequenceTokens("only");
        var network = new FakeNetwork(() => Json(HttpStatusCode.Unauthorized));
        var (client, _, services) = HttpTestKit.Build(network, tokens);
        using var _ = services;

        using var response = await client.Http.GetAsync("sessions", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(network.Seen);
    }

    [Fact]
    public async Task A_request_with_its_own_authorization_keeps_it()
    {
        var network = new FakeNetwork(() => Json(HttpStatusCode.OK));
        var (client, _, services) = HttpTestKit.Build(network, new SequenceTokens("t1"));
        using var _ = services;

        using var request = new HttpRequestMessage(HttpMethod.Post, "auth/token/refresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "refresh");
        using var response = await client.Http.SendAsync(request, Ct);

        Assert.Equal("Bearer refresh", Assert.Single(network.Seen).Authorization);
    }

    [Fact]
    public void Environments_end_in_v2_and_custom_addresses_get_a_trailing_slash()
    {
        Assert.Equal("https://api-test.ksef.mf.gov.pl/v2/", KsefEnvironment.Test.BaseAddress.AbsoluteUri);
        Assert.Equal("https://api-demo.ksef.mf.gov.pl/v2/", KsefEnvironment.Demo.BaseAddress.AbsoluteUri);
        Assert.Equal("https://api.ksef.mf.gov.pl/v2/", KsefEnvironment.Production.BaseAddress.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5080/v2/", KsefEnvironment.Custom(new Uri("http://127.0.0.1:5080/v2")).BaseAddress.AbsoluteUri);
        Assert.Throws<ArgumentException>(() => KsefEnvironment.Custom(new Uri("v2/", UriKind.Relative)));
    }
}
