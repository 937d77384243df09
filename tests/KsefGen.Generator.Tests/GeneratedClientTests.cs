using System.Net;
using System.Text;
using System.Text.Json;
using KsefGen.Tests.Sandbox;

namespace KsefGen.Generator.Tests;

/// <summary>The generated clients build the official requests and turn every KSeF error shape into KsefApiException.</summary>
public sealed class GeneratedClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetSessionsSendsQueryArraysAndTheContinuationHeader()
    {
        var handler = new FakeHandler(_ => FakeHandler.Json(HttpStatusCode.OK, """{ "continuationToken": "next", "sessions": [] }"""));
        var client = new KsefClient(FakeHandler.Client(handler));

        var page = await client.SessionStatus.GetSessionsAsync(
            SessionType.Online,
            pageSize: 100,
            dateCreatedFrom: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            statuses: [CommonSessionStatus.InProgress, CommonSessionStatus.Succeeded],
            continuationToken: "a/b+c=",
            cancellationToken: Ct);

        Assert.Equal("next", page.ContinuationToken);
        Assert.Empty(page.Sessions);
        var request = handler.Requests.Single().Request;
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(
            "https://ksef.example/v2/sessions?sessionType=Online&pageSize=100&dateCreatedFrom=2026-11-01T00%3A00%3A00.0000000%2B00%3A00&statuses=InProgress&statuses=Succeeded",
            request.RequestUri!.AbsoluteUri);
        Assert.Equal("a/b+c=", request.Headers.GetValues("x-continuation-token").Single());
    }

    private static HttpResponseMessage InvoicePage(IEnumerable<int> ordinals, string? next) => FakeHandler.Json(HttpStatusCode.OK,
        JsonSerializer.Serialize(new
        {
            continuationToken = next,
            invoices = ordinals.Select(o => new
            {
                ordinalNumber = o,
                referenceNumber = $"20261122-EE-0000000000-00000000{o:D2}-00",
                invoiceHash = Convert.ToBase64String(new byte[32]),
                invoicingDate = "2026-11-22T10:00:00Z",
                status = new { code = 200, description = "ok" },
            }),
        }));

    [Fact]
    public async Task EnumerateFollowsContinuationTokensAndYieldsEveryItemOnce()
    {
        var handler = new FakeHandler(request => (request.Headers.TryGetValues("x-continuation-token", out var values) ? values.Single() : null) switch
        {
            null => InvoicePage([1, 2], "t1"),
            "t1" => InvoicePage([], "t2"),
            "t2" => InvoicePage([3], "t3"),
            _ => InvoicePage([4], null),
        });
        var client = new KsefClient(FakeHandler.Client(handler));
        var ordinals = new List<int>();
        await foreach (var invoice in client.SessionStatus.EnumerateSessionInvoicesAsync("20261122-SB-0000000000-0000000000-00", pageSize: 10, cancellationToken: Ct))
        {
            ordinals.Add(invoice.OrdinalNumber);
        }
        Assert.Equal([1, 2, 3, 4], ordinals);
        Assert.Equal(4, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Contains("pageSize=10", r.Request.RequestUri!.Query));

        var pages = new List<int>();
        await foreach (var page in client.SessionStatus.GetSessionFailedInvoicesPagesAsync("20261122-SB-0000000000-0000000000-00", cancellationToken: Ct)) pages.Add(page.Invoices.Count);
        Assert.Equal([2, 0, 1, 1], pages);
    }

    [Fact]
    public async Task EnumerateStopsOnARepeatedTokenInsteadOfLooping()
    {
        var handler = new FakeHandler(request => InvoicePage([1], "again"));
        var client = new KsefClient(FakeHandler.Client(handler));
        var seen = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in client.SessionStatus.EnumerateSessionInvoicesAsync("20261122-SB-0000000000-0000000000-00", cancellationToken: Ct)) seen++;
        });
        Assert.Contains("already given", error.Message);
        Assert.Equal(2, seen);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task EnumerateIsLazyAndCancellable()
    {
        var handler = new FakeHandler(request => InvoicePage([1, 2], Guid.NewGuid().ToString()));
        var client = new KsefClient(FakeHandler.Client(handler));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.SessionStatus.EnumerateSessionInvoicesAsync("20261122-SB-0000000000-0000000000-00", cancellationToken: cancel.Token))
            {
                if (++seen == 3) await cancel.CancelAsync();
            }
        });
        // The page in hand is finished; the next page is never requested.
        Assert.Equal(4, seen);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task PathParametersAreEscaped()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var client = new KsefClient(FakeHandler.Client(handler));
        await client.OnlineSession.CloseOnlineSessionAsync("a b/c", Ct);
        Assert.Equal("https://ksef.example/v2/sessions/online/a%20b%2Fc/close", handler.Requests.Single().Request.RequestUri!.AbsoluteUri);
        Assert.Equal(HttpMethod.Post, handler.Requests.Single().Request.Method);
    }

    [Fact]
    public async Task JsonBodyIsWrittenWithWireNamesAndBase64Bytes()
    {
        var handler = new FakeHandler(_ => FakeHandler.Json(HttpStatusCode.Accepted, """{ "referenceNumber": "20251122-EE-1A2B3C4D5E-6F7A8B9C0D-11" }"""));
        var client = new KsefClient(FakeHandler.Client(handler));
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync("20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", new SendInvoiceRequest
        {
            InvoiceHash = [1, 2, 3],
            InvoiceSize = 10,
            EncryptedInvoiceHash = [4, 5, 6],
            EncryptedInvoiceSize = 16,
            EncryptedInvoiceContent = Encoding.UTF8.GetBytes("encrypted"),
        }, Ct);

        Assert.Equal("20251122-EE-1A2B3C4D5E-6F7A8B9C0D-11", sent.ReferenceNumber);
        var (request, body) = handler.Requests.Single();
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(body!);
        Assert.Equal("AQID", json.RootElement.GetProperty("invoiceHash").GetString());
        Assert.Equal(16, json.RootElement.GetProperty("encryptedInvoiceSize").GetInt64());
        Assert.False(json.RootElement.TryGetProperty("hashOfCorrectedInvoice", out _));
    }

    [Fact]
    public async Task UpoComesBackAsTextWithItsHashHeader()
    {
        var handler = new FakeHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<Potwierdzenie/>", Encoding.UTF8, "application/xml") };
            response.Headers.TryAddWithoutValidation("x-ms-meta-hash", "abc=");
            return response;
        });
        var client = new KsefClient(FakeHandler.Client(handler));

        var upo = await client.SessionStatus.GetSessionUpoAsync("20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", "20251122-EU-1A2B3C4D5E-6F7A8B9C0D-33", Ct);
        Assert.Equal("<Potwierdzenie/>", upo.Content);
        Assert.Equal("abc=", upo.ContentHash);
        Assert.Equal("application/xml", upo.ContentType);
        Assert.Equal("application/xml", handler.Requests.Single().Request.Headers.Accept.Single().MediaType);

        await using var stream = await client.SessionStatus.GetSessionUpoStreamAsync("r", "u", Ct);
        Assert.Equal("abc=", stream.ContentHash);
        Assert.Equal("<Potwierdzenie/>", await new StreamReader(stream.Content).ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task LegacyExceptionResponseBecomesTypedErrors()
    {
        var handler = new FakeHandler(_ => FakeHandler.Json(HttpStatusCode.BadRequest, """
            { "exception": { "exceptionDetailList": [ { "exceptionCode": 21405, "exceptionDescription": "Validation failed.", "details": ["pageSize must be 10..1000"] },
                                                       { "exceptionCode": 21418, "exceptionDescription": "Bad continuation token." } ],
                             "referenceNumber": "20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", "serviceCode": "00-abc-def-00", "timestamp": "2026-11-22T10:00:00Z" } }
            """));
        var client = new KsefClient(FakeHandler.Client(handler));

        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoicesAsync("r", pageSize: 5, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(21405, error.ExceptionCode);
        Assert.Equal([21405, 21418], error.Errors.Select(e => e.Code));
        Assert.Equal(["pageSize must be 10..1000"], error.Details);
        Assert.Equal("00-abc-def-00", error.TraceId);
        Assert.Equal("20251122-SO-1A2B3C4D5E-6F7A8B9C0D-22", error.ReferenceNumber);
        Assert.False(error.IsProblemDetails);
        Assert.Contains("21405 Validation failed.", error.Message);
    }

    [Fact]
    public async Task ProblemDetailsBecomeTypedErrors()
    {
        var handler = new FakeHandler(_ => FakeHandler.Json(HttpStatusCode.BadRequest, """
            { "title": "Bad Request", "status": 400, "instance": "/v2/sessions", "detail": "Validation failed.", "traceId": "0af7651916cd43dd8448eb211c80319c",
              "timestamp": "2026-11-22T10:00:00Z", "errors": [ { "code": 21405, "description": "Validation failed.", "details": ["sessionType is required"] } ] }
            """, "application/problem+json"));
        var client = new KsefClient(FakeHandler.Client(handler));

        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("r", Ct));
        Assert.True(error.IsProblemDetails);
        Assert.Equal(21405, error.ExceptionCode);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", error.TraceId);
        Assert.Equal("/v2/sessions", error.Instance);
        Assert.Equal(["sessionType is required"], error.Details);
    }

    [Fact]
    public async Task TooManyRequestsCarriesRetryAfterInSecondsOrAsADate()
    {
        var date = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var responses = new Queue<HttpResponseMessage>();
        var seconds = FakeHandler.Json(HttpStatusCode.TooManyRequests, """{ "status": { "code": 429, "description": "Too Many Requests", "details": ["limit of 20 per minute"] } }""");
        seconds.Headers.TryAddWithoutValidation("Retry-After", "30");
        responses.Enqueue(seconds);
        var dated = FakeHandler.Json(HttpStatusCode.TooManyRequests, """{ "title": "Too Many Requests", "status": 429, "detail": "slow down" }""", "application/problem+json");
        dated.Headers.TryAddWithoutValidation("Retry-After", date.ToString("R"));
        responses.Enqueue(dated);
        var client = new KsefClient(FakeHandler.Client(new FakeHandler(_ => responses.Dequeue())));

        var first = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("r", Ct));
        Assert.Equal(TimeSpan.FromSeconds(30), first.RetryAfter);
        Assert.Equal(429, first.ExceptionCode);
        Assert.Equal(["limit of 20 per minute"], first.Details);

        var second = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("r", Ct));
        Assert.Null(second.RetryAfter);
        Assert.Equal(date, second.RetryAfterDate);
        Assert.Equal("slow down", second.Description);
    }

    [Fact]
    public async Task HtmlGatewayPageIsKeptAsTheBody()
    {
        var client = new KsefClient(FakeHandler.Client(new FakeHandler(_ =>
            new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html><body>502 Bad Gateway</body></html>", Encoding.UTF8, "text/html") })));

        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("r", Ct));
        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Empty(error.Errors);
        Assert.Equal("text/html", error.ContentType);
        Assert.Contains("502 Bad Gateway", error.ResponseBody);
        Assert.Contains("not a KSeF error", error.Message);
    }

    [Fact]
    public async Task UnauthorizedProblemIsParsed()
    {
        var client = new KsefClient(FakeHandler.Client(new FakeHandler(_ => FakeHandler.Json(HttpStatusCode.Forbidden, """
            { "title": "Forbidden", "status": 403, "detail": "No permission.", "reasonCode": "missing-permissions", "timestamp": "2026-11-22T10:00:00Z" }
            """, "application/problem+json"))));
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionStatusAsync("r", Ct));
        Assert.Equal("missing-permissions", error.ReasonCode);
        Assert.Equal("No permission.", error.Description);
        Assert.Null(error.ExceptionCode);
    }

    [Fact]
    public async Task RequiredArgumentsAreChecked()
    {
        var client = new KsefClient(FakeHandler.Client(new FakeHandler(_ => throw new InvalidOperationException("must not send"))));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.SessionStatus.GetSessionStatusAsync(null!, Ct));
    }

    [Fact]
    public void DefaultServerUrlWorksAsBaseAddress()
    {
        Assert.Equal("https://api-test.ksef.mf.gov.pl/v2/", KsefClient.DefaultServerUrl);
        Assert.Equal("https://api-test.ksef.mf.gov.pl/v2/sessions", new Uri(new Uri(KsefClient.DefaultServerUrl), "sessions").AbsoluteUri);
    }
}
