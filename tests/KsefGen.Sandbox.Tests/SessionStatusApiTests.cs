using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>The status routes over real HTTP, through the client generated from specs/.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SessionStatusApiTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ContextA => sandbox.Store.Contexts[0].Nip;

    private string ContextB => sandbox.Store.Contexts[1].Nip;

    private SessionRecord LargeSession(string nip) => sandbox.Store.SessionsOf(nip).Single(s => s.Invoices.Count == SandboxFixture.LargeSession);

    [Theory]
    [InlineData(1000)]
    [InlineData(333)]
    public async Task PagingDeliversEveryInvoiceExactlyOnce(int pageSize)
    {
        var client = await sandbox.ClientAsync(ContextA);
        var session = LargeSession(ContextA);
        var seen = new List<int>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, continuationToken: token, pageSize: pageSize, cancellationToken: Ct);
            Assert.True(page.Invoices.Count <= pageSize);
            seen.AddRange(page.Invoices.Select(i => i.OrdinalNumber));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(1, SandboxFixture.LargeSession), seen);
        Assert.Equal((SandboxFixture.LargeSession + pageSize - 1) / pageSize, pages);
    }

    [Fact]
    public async Task GeneratedEnumerationsYieldEverySessionAndInvoiceExactlyOnce()
    {
        var nip = sandbox.Store.Contexts[0].Nip;
        var client = await sandbox.ClientAsync(nip);
        var large = sandbox.Store.SessionsOf(nip).Single(s => s.Invoices.Count == SandboxFixture.LargeSession);
        var ordinals = new List<int>();
        await foreach (var invoice in client.SessionStatus.EnumerateSessionInvoicesAsync(large.ReferenceNumber, pageSize: 250, cancellationToken: TestContext.Current.CancellationToken))
        {
            ordinals.Add(invoice.OrdinalNumber);
        }
        Assert.Equal(Enumerable.Range(1, SandboxFixture.LargeSession), ordinals);
        var failed = new List<string>();
        await foreach (var invoice in client.SessionStatus.EnumerateSessionFailedInvoicesAsync(large.ReferenceNumber, pageSize: 10, cancellationToken: TestContext.Current.CancellationToken))
        {
            failed.Add(invoice.ReferenceNumber);
        }
        Assert.Equal(large.Invoices.Where(i => i.IsFailed).Select(i => i.ReferenceNumber), failed);
        var sessions = new List<string>();
        await foreach (var session in client.SessionStatus.EnumerateSessionsAsync(SessionType.Batch, pageSize: 10, cancellationToken: TestContext.Current.CancellationToken))
        {
            sessions.Add(session.ReferenceNumber);
        }
        Assert.Equal(sandbox.Store.SessionsOf(nip).Where(s => s.IsBatch).Select(s => s.ReferenceNumber).Order(), sessions.Order());
        Assert.Equal(sessions.Count, sessions.Distinct().Count());
    }

    [Fact]
    public async Task FailedInvoicesArePagedExactlyOnceAndAreAllFailures()
    {
        var client = await sandbox.ClientAsync(ContextA);
        var session = LargeSession(ContextA);
        var expected = session.Invoices.Where(i => i.IsFailed).Select(i => i.ReferenceNumber).ToList();
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await client.SessionStatus.GetSessionFailedInvoicesAsync(session.ReferenceNumber, continuationToken: token, pageSize: 10, cancellationToken: Ct);
            Assert.All(page.Invoices, i => Assert.True(i.StatusCode.IsFailure));
            seen.AddRange(page.Invoices.Select(i => i.ReferenceNumber));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task SessionStatusesCarryTheDocumentedCodes()
    {
        var client = await sandbox.ClientAsync(ContextA);
        foreach (var session in sandbox.Store.SessionsOf(ContextA))
        {
            var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
            Assert.Equal(session.Status, status.Status.Code);
            Assert.True(status.StatusCode.IsKnown);
            // As on the live server: while the session is in progress (1xx), a count is absent until there is something to
            // count; once its status is final, every count is given, 0 included.
            var final = session.Status >= 200;
            Assert.Equal(final || session.Invoices.Count > 0 ? session.Invoices.Count : null, status.InvoiceCount);
            Assert.Equal(final || session.SuccessfulInvoiceCount > 0 ? session.SuccessfulInvoiceCount : null, status.SuccessfulInvoiceCount);
            Assert.Equal(final || session.FailedInvoiceCount > 0 ? session.FailedInvoiceCount : null, status.FailedInvoiceCount);
            Assert.Equal(session.Created, status.DateCreated);
        }
        var online = sandbox.Store.SessionsOf(ContextA).First(s => !s.IsBatch && s.Status == 100);
        var opened = await client.SessionStatus.GetSessionStatusAsync(online.ReferenceNumber, Ct);
        Assert.Equal("Sesja interaktywna otwarta", opened.Status.Description); // the online sub-table, in the live server's words
    }

    [Fact]
    public async Task EveryInvoiceCodeIsServedAndDuplicatesCarryTypedExtensions()
    {
        var client = await sandbox.ClientAsync(ContextA);
        var codes = new HashSet<int>();
        foreach (var session in sandbox.Store.SessionsOf(ContextA).Where(s => s.Invoices.Count is > 0 and < 100))
        {
            foreach (var invoice in session.Invoices)
            {
                var served = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
                codes.Add(served.Status.Code);
                Assert.Equal(invoice.KsefNumber, served.KsefNumber);
                Assert.Equal(invoice.Hash, served.InvoiceHash);
                if (served.StatusCode == InvoiceStatusCode.Duplicate)
                {
                    Assert.Equal(invoice.OriginalKsefNumber, served.Status.OriginalKsefNumber);
                    Assert.Equal(invoice.OriginalSessionReferenceNumber, served.Status.OriginalSessionReferenceNumber);
                    var original = await client.SessionStatus.GetSessionStatusAsync(served.Status.OriginalSessionReferenceNumber!, Ct);
                    Assert.Equal(200, original.Status.Code);
                }
            }
        }
        Assert.Equal([100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550], codes.Order());
    }

    [Fact]
    public async Task SessionListFiltersAndPages()
    {
        var client = await sandbox.ClientAsync(ContextA);
        var all = new List<SessionsQueryResponseItem>();
        string? token = null;
        do
        {
            var page = await client.SessionStatus.GetSessionsAsync(SessionType.Batch, pageSize: 10, continuationToken: token, cancellationToken: Ct);
            all.AddRange(page.Sessions);
            token = page.ContinuationToken;
        }
        while (token is not null);
        var expected = sandbox.Store.SessionsOf(ContextA).Where(s => s.IsBatch).ToList();
        Assert.Equal(expected.Select(s => s.ReferenceNumber).Order(), all.Select(s => s.ReferenceNumber).Order());
        Assert.Equal(all.OrderByDescending(s => s.DateCreated).Select(s => s.ReferenceNumber), all.Select(s => s.ReferenceNumber));

        var failed = await client.SessionStatus.GetSessionsAsync(SessionType.Online, pageSize: 100, statuses: [CommonSessionStatus.Failed, CommonSessionStatus.Cancelled], cancellationToken: Ct);
        // Other tests in the collection open sessions too: the seeded 415/440/445 are there, and whatever else failed.
        var codes = failed.Sessions.Select(s => s.Status.Code).ToList();
        Assert.Superset(new HashSet<int>([415, 440, 445]), codes.ToHashSet());
        Assert.All(codes, code => Assert.True(code is 415 or 440 or 445 or 405 or 420 or 430 or 435 or 500, $"{code} is neither Failed nor Cancelled"));
        Assert.Equal(sandbox.Store.SessionsOf(ContextA).Count(s => !s.IsBatch && s.Status is >= 300), codes.Count);
    }

    [Fact]
    public async Task AnotherContextsSessionIsIndistinguishableFromAMissingOne()
    {
        var client = await sandbox.ClientAsync(ContextA);
        var foreign = LargeSession(ContextB);
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync(foreign.ReferenceNumber, Ct));
        Assert.Equal(21173, error.ExceptionCode);
        Assert.DoesNotContain(foreign.Invoices[0].ReferenceNumber, error.ResponseBody);
        var list = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(foreign.ReferenceNumber, cancellationToken: Ct));
        Assert.Equal(21173, list.ExceptionCode);
        var sessions = await client.SessionStatus.GetSessionsAsync(SessionType.Batch, pageSize: 1000, cancellationToken: Ct);
        Assert.DoesNotContain(sessions.Sessions, s => s.ReferenceNumber == foreign.ReferenceNumber);
    }

    [Fact]
    public async Task TamperedOrForeignContinuationTokensAreRejected()
    {
        var client = await sandbox.ClientAsync(ContextA);
        var session = LargeSession(ContextA);
        var first = await client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, pageSize: 100, cancellationToken: Ct);
        var token = first.ContinuationToken!;
        var tampered = token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, continuationToken: tampered, pageSize: 100, cancellationToken: Ct));
        Assert.Equal(21418, error.ExceptionCode);
        // A genuine token of another list (the failed invoices) does not work here either.
        var failedToken = (await client.SessionStatus.GetSessionFailedInvoicesAsync(session.ReferenceNumber, pageSize: 10, cancellationToken: Ct)).ContinuationToken!;
        var foreign = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, continuationToken: failedToken, pageSize: 10, cancellationToken: Ct));
        Assert.Equal(21418, foreign.ExceptionCode);
        var garbage = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, continuationToken: "%%%not-a-token", cancellationToken: Ct));
        Assert.Equal(21418, garbage.ExceptionCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BadInputGetsTheKsefErrorShape(bool problemDetails)
    {
        var client = await sandbox.ClientAsync(ContextA, problemDetails);
        var session = LargeSession(ContextA);
        var tooSmall = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, pageSize: 9, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
        Assert.Equal(21405, tooSmall.ExceptionCode);
        Assert.Equal(problemDetails, tooSmall.IsProblemDetails);
        Assert.Equal(problemDetails ? "application/problem+json" : "application/json", tooSmall.ContentType);
        Assert.NotNull(tooSmall.TraceId);

        var badReference = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("not-a-reference-number", Ct));
        Assert.Equal(21405, badReference.ExceptionCode);
        var tooLarge = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, pageSize: 1001, cancellationToken: Ct));
        Assert.Equal(21405, tooLarge.ExceptionCode);
    }

    [Theory]
    [InlineData("v2/sessions?sessionType=Online&pageSize=abc")]
    [InlineData("v2/sessions?sessionType=Sometimes")]
    [InlineData("v2/sessions?sessionType=Online&dateCreatedFrom=yesterday")]
    [InlineData("v2/sessions?sessionType=Online&statuses=Maybe")]
    [InlineData("v2/sessions")]
    [InlineData("v2/sessions/%20%7B%7D/invoices?pageSize=-1")]
    [InlineData("v2/sessions/20261102-SB-0000000000-0000000000-00/invoices/%2e%2e")]
    public async Task MalformedRequestsNeverGiveAServerError(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await sandbox.AccessTokenAsync(ContextA));
        using var response = await sandbox.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(body.RootElement.TryGetProperty("exception", out _));
    }

    [Fact]
    public async Task MissingInvalidOrExpiredTokensGet401ProblemDetails()
    {
        var session = LargeSession(ContextA);
        using var none = await sandbox.Http.GetAsync($"v2/sessions/{session.ReferenceNumber}", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType!.MediaType);

        using var forged = new HttpRequestMessage(HttpMethod.Get, $"v2/sessions/{session.ReferenceNumber}");
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJmb3JnZWQ.AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await sandbox.Http.SendAsync(forged, Ct)).StatusCode);

        using var unknownRoute = await sandbox.Http.GetAsync("v2/no-such-route", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);
    }

    [Fact]
    public async Task AccessTokenShortcutRejectsUnknownContexts()
    {
        using var response = await sandbox.Http.PostAsync("sandbox/access-tokens",
            new StringContent("""{"contextNip":"1234567890"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var malformed = await sandbox.Http.PostAsync("sandbox/access-tokens",
            new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }
}
