using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>A sandbox of its own for tests that reset it or switch its limits, with x-rate-limits enforced.</summary>
public sealed class LimitedSandbox : SandboxFixture
{
    public LimitedSandbox() => RateLimits = true;
}

/// <summary>The /sandbox levers: forced statuses, injected faults, the request log, reset, rate limits.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ControlTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private async Task<HttpResponseMessage> PostAsync(string path, object body) =>
        await sandbox.Http.PostAsJsonAsync(path, body, Ct);

    [Fact]
    public async Task ForcedStatusesReplaceTheVerdict()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var good = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"FC/{Guid.NewGuid():N}"), key, iv), Ct);
        var other = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, $"FC/{Guid.NewGuid():N}"), key, iv), Ct);

        using var forced = await PostAsync($"sandbox/sessions/{opened.ReferenceNumber}/invoices/{good.ReferenceNumber}/status", new { code = 550 });
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal("next", (await forced.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("appliedWhen").GetString());
        await client.OnlineSession.CloseOnlineSessionAsync(opened.ReferenceNumber, Ct);
        (await PostAsync($"sandbox/sessions/{opened.ReferenceNumber}/status", new { code = 445, detail = "forced by the test" })).EnsureSuccessStatusCode();
        sandbox.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(550, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, good.ReferenceNumber, Ct)).Status.Code);
        Assert.Equal(200, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, other.ReferenceNumber, Ct)).Status.Code);
        var session = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(445, session.Status.Code);
        Assert.Equal("forced by the test", Assert.Single(session.Status.Details!));

        // A finished record changes at once; a bad code is a 400.
        (await PostAsync($"sandbox/sessions/{opened.ReferenceNumber}/invoices/{other.ReferenceNumber}/status", new { code = 500 })).EnsureSuccessStatusCode();
        Assert.Equal(500, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, other.ReferenceNumber, Ct)).Status.Code);
        using var bad = await PostAsync($"sandbox/sessions/{opened.ReferenceNumber}/status", new { code = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("21405", await bad.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task FaultsAnswerInsteadOfTheRoute()
    {
        var client = await sandbox.ClientAsync(Nip, problemDetails: true);
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Status == 200 && s.Invoices.Count > 0);
        try
        {
            (await PostAsync("sandbox/faults", new { method = "GET", path = "/v2/sessions/*", kind = "status", status = 503, times = 1 })).EnsureSuccessStatusCode();
            var unavailable = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(200, (await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct)).Status.Code);

            (await PostAsync("sandbox/faults", new { path = "/v2/sessions/**", kind = "status", status = 429, retryAfterSeconds = 7, times = 1 })).EnsureSuccessStatusCode();
            var limited = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode)429, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);

            // Storage links can answer with an HTML page, as KSeF TEST's gateway sometimes does.
            var invoice = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, session.Invoices.First(i => i.Status == 200).ReferenceNumber, Ct);
            (await PostAsync("sandbox/faults", new { path = "/storage/upo/*", kind = "html", status = 200, times = 1 })).EnsureSuccessStatusCode();
            using var plain = new HttpClient();
            using (var html = await plain.GetAsync(invoice.UpoDownloadUrl, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, html.StatusCode);
                Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
            }
            using (var xml = await plain.GetAsync(invoice.UpoDownloadUrl, Ct))
            {
                Assert.Equal("application/xml", xml.Content.Headers.ContentType!.MediaType);
            }
            (await PostAsync("sandbox/faults", new { path = "/v2/**", kind = "html" })).EnsureSuccessStatusCode();
            var gateway = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct));
            Assert.Equal(HttpStatusCode.BadGateway, gateway.StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, (await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct))).StatusCode);
            (await sandbox.Http.DeleteAsync("sandbox/faults", Ct)).EnsureSuccessStatusCode();
            Assert.Equal(200, (await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct)).Status.Code);

            (await PostAsync("sandbox/faults", new { path = "/v2/sessions/**", kind = "status", status = 500, probability = 0 })).EnsureSuccessStatusCode();
            (await PostAsync("sandbox/faults", new { path = "/v2/sessions/*", kind = "latency", delayMs = 5, times = 1 })).EnsureSuccessStatusCode();
            Assert.Equal(200, (await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct)).Status.Code);
            var rules = await sandbox.Http.GetFromJsonAsync<JsonElement>("sandbox/faults", Ct);
            Assert.Equal(0, Assert.Single(rules.EnumerateArray()).GetProperty("fired").GetInt32());

            using var invalid = await PostAsync("sandbox/faults", new { path = "/v2/**", kind = "explode" });
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
        finally
        {
            await sandbox.Http.DeleteAsync("sandbox/faults", Ct);
        }
    }

    [Fact]
    public async Task RequestLogShowsWhatTheClientSent()
    {
        var token = await sandbox.AccessTokenAsync(Nip);
        var (client, _) = KsefTestKit.Client(sandbox, token);
        var session = sandbox.Store.SessionsOf(Nip).First();
        await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
        await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, pageSize: 5, cancellationToken: Ct));

        var log = await sandbox.Http.GetFromJsonAsync<JsonElement>("sandbox/requests?limit=2&path=/v2/sessions", Ct);
        var entries = log.EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(400, entries[0].GetProperty("status").GetInt32());
        Assert.Contains("pageSize=5", entries[0].GetProperty("path").GetString());
        Assert.Equal(200, entries[1].GetProperty("status").GetInt32());
        Assert.Equal(Nip, entries[1].GetProperty("contextNip").GetString());
        var authorization = entries[1].GetProperty("headers").GetProperty("Authorization").GetString()!;
        Assert.StartsWith("Bearer ", authorization);
        Assert.DoesNotContain(token, authorization);
        Assert.True(entries[0].GetProperty("id").GetInt64() > entries[1].GetProperty("id").GetInt64());

        using var posted = await PostAsync("sandbox/access-tokens", new { contextNip = Nip });
        var logged = (await sandbox.Http.GetFromJsonAsync<JsonElement>("sandbox/requests?limit=1", Ct))[0];
        Assert.Contains(Nip, logged.GetProperty("body").GetString());
    }
}

/// <summary>Rate limits and reset, on a sandbox of their own.</summary>
public sealed class LimitTests(LimitedSandbox sandbox) : IClassFixture<LimitedSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SessionListIsLimitedPerContextWithRetryAfter()
    {
        var nip = sandbox.Store.Contexts[0].Nip;
        var client = await sandbox.ClientAsync(nip);
        // GET /sessions: 5 per second, 10 per minute.
        for (var i = 0; i < 5; i++) await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        var limited = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter);

        // The raw shapes: legacy JSON by default, problem details on request.
        var token = await sandbox.AccessTokenAsync(nip);
        using var legacy = await Send(token, problem: false);
        Assert.Equal("application/json", legacy.Content.Headers.ContentType!.MediaType);
        Assert.Equal(429, (await legacy.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetProperty("code").GetInt32());
        using var problem = await Send(token, problem: true);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType!.MediaType);

        // Another context has its own budget.
        var other = await sandbox.ClientAsync(sandbox.Store.Contexts[1].Nip);
        await other.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);

        // After a second: five more fit the minute's ten, then the minute is the limit.
        sandbox.Clock.Advance(TimeSpan.FromSeconds(1.5));
        for (var i = 0; i < 5; i++) await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(1.5));
        var minute = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct));
        Assert.InRange(minute.RetryAfter!.Value.TotalSeconds, 50, 60);
        sandbox.Clock.Advance(TimeSpan.FromMinutes(1));
        await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);

        // Switched off, nothing is limited.
        (await sandbox.Http.PutAsJsonAsync("sandbox/rate-limits", new { enabled = false }, Ct)).EnsureSuccessStatusCode();
        for (var i = 0; i < 12; i++) await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        (await sandbox.Http.PutAsJsonAsync("sandbox/rate-limits", new { enabled = true }, Ct)).EnsureSuccessStatusCode();

        async Task<HttpResponseMessage> Send(string bearer, bool problem)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "v2/sessions?sessionType=Online");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            if (problem) request.Headers.Add("X-Error-Format", "problem-details");
            var response = await sandbox.Http.SendAsync(request, Ct);
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
            return response;
        }
    }

    [Fact]
    public void EveryApiRouteHasTheLimitsOfItsOperation()
    {
        var limits = sandbox.Service<KsefGen.Sandbox.Control.RateLimits>().Limits;
        var routes = sandbox.Service<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v2", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().SelectMany(m => m.HttpMethods)
                .Select(method => method + " " + e.RoutePattern.RawText![3..].TrimEnd('/')))
            .ToList();
        Assert.Equal(59, routes.Count);
        Assert.All(routes, route => Assert.True(limits.ContainsKey(route), $"{route} has no x-rate-limits entry"));
    }

    [Fact]
    public async Task ResetReseedsEverything()
    {
        var before = sandbox.Store.Contexts.Select(c => c.Nip).ToList();
        var client = await sandbox.ClientAsync(before[0]);
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var counts = sandbox.Store.Count();

        (await sandbox.Http.PostAsJsonAsync("sandbox/reset", new { seed = 7 }, Ct)).EnsureSuccessStatusCode();
        Assert.NotEqual(before, sandbox.Store.Contexts.Select(c => c.Nip));
        (await sandbox.Http.PostAsJsonAsync("sandbox/reset", new { }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(before, sandbox.Store.Contexts.Select(c => c.Nip));
        Assert.Null(sandbox.Store.FindAnySession(opened.ReferenceNumber));
        Assert.Equal(counts.Sessions - 1, sandbox.Store.Count().Sessions);
        var again = await sandbox.ClientAsync(before[0]);
        Assert.Equal(21173, (await Assert.ThrowsAsync<KsefApiException>(() => again.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct))).ExceptionCode);
    }
}
