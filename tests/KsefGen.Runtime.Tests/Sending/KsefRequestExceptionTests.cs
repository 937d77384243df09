using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Sending;
using KsefGen.Runtime.Tests.Http;

namespace KsefGen.Runtime.Tests.Sending;

public sealed class KsefRequestExceptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string SendOperation = $"POST sessions/online/{KsefSenderTests.Online}/invoices";

    private const string LegacyBody = """
        {"exception":{"exceptionDetailList":[{"exceptionCode":21180,"exceptionDescription":"Status sesji nie pozwala na wykonanie operacji.","details":["Sesja 20261120-SO-2222222222-ABCDEF2222-01 jest zamknięta."]}],"referenceNumber":"20261120-EX-0000000000-0000000000-00","serviceCode":"00-7f1e2d3c4b5a69788796a5b4c3d2e1f0-0102030405060708-01","serviceCtx":"srvTEMFA","serviceName":"online.invoice.send","timestamp":"2026-11-20T10:00:00Z"}}
        """;

    private const string ProblemBody = """
        {"type":"https://ksef.mf.gov.pl/problems/validation","title":"Bad Request","status":400,"detail":"Request validation failed.","instance":"/v2/sessions/online/20261120-SO-2222222222-ABCDEF2222-01/invoices","errors":[{"code":21405,"description":"Błąd walidacji danych wejściowych.","details":["invoiceHash: The field InvoiceHash must be 32 bytes."]}],"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
        """;

    /// <summary>Opens an online session (accepted) whose invoice send is answered by <paramref name="refusal"/>.</summary>
    private static async Task<(KsefOnlineSession Session, KsefRequestException Error)> RefusedSendAsync(Func<HttpResponseMessage> refusal)
    {
        var api = KsefSenderTests.OnlineKsef().On(HttpMethod.Post, $"sessions/online/{KsefSenderTests.Online}/invoices", (_, _) => refusal());
        var session = await KsefSenderTests.Sender(api).OpenOnlineSessionAsync(KsefFormCode.Fa3, Ct);
        var error = await Assert.ThrowsAsync<KsefRequestException>(() => session.SendInvoiceAsync(KsefSenderTests.Invoice(1), Ct));
        Assert.Empty(session.Sent);
        Assert.Single(api.CallsTo(HttpMethod.Post, $"sessions/online/{KsefSenderTests.Online}/invoices"));
        return (session, error);
    }

    private static HttpResponseMessage Body(HttpStatusCode status, string body, string mediaType) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    [Fact]
    public async Task The_legacy_ExceptionResponse_on_send_becomes_a_KsefRequestException_with_code_meaning_details_and_service_code()
    {
        var (session, error) = await RefusedSendAsync(() => Body(HttpStatusCode.BadRequest, LegacyBody, "application/json"));

        Assert.Empty(session.Sent);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(21180, error.ExceptionCode);
        var only = Assert.Single(error.Errors);
        Assert.Equal(21180, only.Code);
        Assert.Equal("Status sesji nie pozwala na wykonanie operacji.", only.Description);
        Assert.Equal(["Sesja 20261120-SO-2222222222-ABCDEF2222-01 jest zamknięta."], only.Details);
        Assert.NotNull(error.Info);
        Assert.True(error.Info.IsKnown);
        Assert.Equal("Session status does not allow the operation.", error.Info.Meaning);
        Assert.Contains("open a new session", error.Info.Advice, StringComparison.Ordinal);
        Assert.Equal("00-7f1e2d3c4b5a69788796a5b4c3d2e1f0-0102030405060708-01", error.TraceId);
        Assert.Equal(SendOperation, error.Operation);
        Assert.Equal(LegacyBody, error.ResponseBody);
        Assert.StartsWith($"{SendOperation} failed with HTTP 400; 21180 Session status does not allow the operation.", error.Message, StringComparison.Ordinal);
        Assert.Contains("(Status sesji nie pozwala na wykonanie operacji.)", error.Message, StringComparison.Ordinal);
        Assert.Contains("jest zamknięta.", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Info.Advice, error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Trace id: 00-7f1e2d3c4b5a69788796a5b4c3d2e1f0-0102030405060708-01.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problem_details_on_send_become_a_KsefRequestException_with_code_meaning_details_and_trace_id()
    {
        var (session, error) = await RefusedSendAsync(() => Body(HttpStatusCode.BadRequest, ProblemBody, "application/problem+json"));

        Assert.Empty(session.Sent);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(21405, error.ExceptionCode);
        var only = Assert.Single(error.Errors);
        Assert.Equal("Błąd walidacji danych wejściowych.", only.Description);
        Assert.Equal(["invoiceHash: The field InvoiceHash must be 32 bytes."], only.Details);
        Assert.True(error.Info?.IsKnown);
        Assert.Equal("Input validation error.", error.Info?.Meaning);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", error.TraceId);
        Assert.Equal(SendOperation, error.Operation);
        Assert.StartsWith($"{SendOperation} failed with HTTP 400; 21405 Input validation error.", error.Message, StringComparison.Ordinal);
        Assert.Contains("invoiceHash: The field InvoiceHash must be 32 bytes.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Trace id: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_html_error_page_keeps_its_text_in_the_message_and_has_no_code()
    {
        var (_, error) = await RefusedSendAsync(() => FakeNetwork.Html(HttpStatusCode.BadGateway));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Empty(error.Errors);
        Assert.Null(error.ExceptionCode);
        Assert.Null(error.Info);
        Assert.Null(error.TraceId);
        Assert.StartsWith($"{SendOperation} failed with HTTP 502: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("502 Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_code_is_kept_and_described_as_undocumented()
    {
        var (_, error) = await RefusedSendAsync(() => FakeKsefApi.LegacyError(21999, "Nowy błąd."));

        Assert.Equal(21999, error.ExceptionCode);
        Assert.NotNull(error.Info);
        Assert.False(error.Info.IsKnown);
        Assert.Equal("Undocumented KSeF error code.", error.Info.Meaning);
        Assert.Contains("21999 Undocumented KSeF error code. (Nowy błąd.)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_listed_is_kept_in_order_and_named_in_the_message()
    {
        const string body = """
            {"exception":{"exceptionDetailList":[
              {"exceptionCode":21402,"exceptionDescription":"Nieprawidłowy rozmiar pliku.","details":["invoiceSize"]},
              {"exceptionCode":21403,"exceptionDescription":"Nieprawidłowy skrót pliku.","details":["invoiceHash"]}],"serviceCode":"svc"}}
            """;

        var error = KsefRequestException.Parse(HttpStatusCode.BadRequest, "POST sessions/online/x/invoices", body);

        Assert.Equal([21402, 21403], error.Errors.Select(e => e.Code));
        Assert.Equal(21402, error.ExceptionCode);
        Assert.All(error.Errors, e => Assert.True(e.Info.IsKnown));
        var size = error.Message.IndexOf("21402 Invalid file size.", StringComparison.Ordinal);
        var hash = error.Message.IndexOf("21403 Invalid file hash.", StringComparison.Ordinal);
        Assert.InRange(size, 0, hash - 1);
    }

    [Fact]
    public void A_malformed_json_body_is_kept_as_text_without_throwing()
    {
        var error = KsefRequestException.Parse(HttpStatusCode.InternalServerError, "POST sessions/online", "{\"exception\": [unterminated");

        Assert.Empty(error.Errors);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Contains("{\"exception\": [unterminated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_text_body_is_shortened_in_the_message_but_kept_whole()
    {
        var body = new string('x', 1000);

        var error = KsefRequestException.Parse(HttpStatusCode.ServiceUnavailable, "GET sessions/s", body);

        Assert.EndsWith(": " + new string('x', 200) + "...", error.Message, StringComparison.Ordinal);
        Assert.Equal(body, error.ResponseBody);
    }

    [Fact]
    public async Task A_429_keeps_its_Retry_After_with_the_parsed_code_trace_id_and_operation()
    {
        using var response = Body(HttpStatusCode.TooManyRequests, LegacyBody, "application/json");
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));

        var error = await KsefRequestException.FromResponseAsync(response, "GET auth/20261120-AU-1", Ct);

        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(21180, error.ExceptionCode);
        Assert.Equal("00-7f1e2d3c4b5a69788796a5b4c3d2e1f0-0102030405060708-01", error.TraceId);
        Assert.Equal("GET auth/20261120-AU-1", error.Operation);
        Assert.Equal(LegacyBody, error.ResponseBody);
        Assert.Equal(TimeSpan.FromSeconds(30), KsefRequestException.RateLimitWait(error));
    }

    [Fact]
    public void RateLimitWait_is_for_429s_only_and_defaults_to_one_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), KsefRequestException.RateLimitWait(KsefRequestException.Parse(HttpStatusCode.TooManyRequests, "GET x", null)));
        Assert.Null(KsefRequestException.RateLimitWait(KsefRequestException.Parse(HttpStatusCode.ServiceUnavailable, "GET x", null)));
        Assert.Null(KsefRequestException.RateLimitWait(new HttpRequestException("network down")));
    }
}
