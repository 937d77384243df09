using System.Reflection;
using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Contracts = KsefGen.Sandbox.Contracts;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// The typed results the handlers return (KsefError and its status types, TypedResults, records for the control
/// routes) send what the untyped results they replaced sent, and the endpoints' metadata says what each can answer.
/// </summary>
public sealed class TypedResultsTests
{
    private sealed record Sent(int Status, string? ContentType, byte[] Body, Dictionary<string, string> Headers);

    private static async Task<Sent> RunAsync(WebApplication app, IResult result, bool problemDetails = false)
    {
        var http = Http(app, problemDetails);
        using var body = new MemoryStream();
        http.Response.Body = body;
        await result.ExecuteAsync(http);
        return new Sent(http.Response.StatusCode, http.Response.ContentType, body.ToArray(),
            http.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
    }

    private static DefaultHttpContext Http(WebApplication app, bool problemDetails)
    {
        var http = new DefaultHttpContext { RequestServices = app.Services, TraceIdentifier = "trace-1" };
        http.Request.Path = "/v2/tokens";
        if (problemDetails) http.Request.Headers[KsefResults.ErrorFormatHeader] = "problem-details";
        return http;
    }

    private static async Task AssertSameAsync(WebApplication app, IResult expected, IResult actual)
    {
        var (want, got) = (await RunAsync(app, expected), await RunAsync(app, actual));
        Assert.Equal(want.Status, got.Status);
        Assert.Equal(want.ContentType, got.ContentType);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(want.Body), System.Text.Encoding.UTF8.GetString(got.Body));
        Assert.Equal(want.Body, got.Body);
        Assert.Equal(want.Headers.OrderBy(h => h.Key).ToArray(), got.Headers.OrderBy(h => h.Key).ToArray());
    }

    [Fact]
    public async Task KsefErrorsWriteWhatResultsJsonWrote()
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"]);
        foreach (var problemDetails in new[] { false, true })
        {
            var http = Http(app, problemDetails);
            KsefError[] errors =
            [
                KsefErrors.InvalidInput(http, "zażółć <&> \"ü\""),
                KsefErrors.ExportNotFound(http),
                KsefResults.InternalError(http, "NullReferenceException: boom"),
                KsefResults.Unauthorized(http, "The access token is missing or invalid."),
                KsefResults.Forbidden(http, "Granting permissions needs CredentialsManage."),
                KsefResults.Gone(http, "Operacja wygasła i nie jest już dostępna."),
                KsefResults.TooManyRequests(http, 7, "Retry after 7 seconds."),
            ];
            foreach (var error in errors)
            {
                // What the factories returned before: Results.Json with the status, and the content type only for problem details.
                var before = Results.Json(error.Value, contentType: error.ContentType == KsefError.Json ? null : error.ContentType, statusCode: error.StatusCode);
                var (want, got) = (await RunAsync(app, before, problemDetails), await RunAsync(app, error, problemDetails));
                Assert.Equal(want.Status, got.Status);
                Assert.Equal(want.ContentType, got.ContentType);
                Assert.Equal(want.Body, got.Body);
                // Retry-After was set on the response by the 429 factory; the result sets it now, and only it.
                Assert.Equal(error.StatusCode == 429 ? "7" : null, got.Headers.GetValueOrDefault("Retry-After"));
                Assert.Equal(want.Headers.Where(h => h.Key != "Retry-After").OrderBy(h => h.Key).ToArray(), got.Headers.Where(h => h.Key != "Retry-After").OrderBy(h => h.Key).ToArray());
            }
            Assert.Equal(problemDetails ? "application/problem+json" : "application/json; charset=utf-8", (await RunAsync(app, errors[0], problemDetails)).ContentType);
        }
    }

    [Fact]
    public async Task SuccessResultsWriteWhatTheUntypedOnesWrote()
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"]);
        var token = new Contracts.GenerateTokenResponse { ReferenceNumber = "20261102-EE-0123456789-ABCDEF0001-7A", Token = "zażółć" };

        // Results.Json(..., statusCode: 202/201) became Accepted/Created without a location: no Location header.
        await AssertSameAsync(app, Results.Json(token, statusCode: StatusCodes.Status202Accepted), TypedResults.Accepted((string?)null, token));
        await AssertSameAsync(app, Results.Json(token, statusCode: StatusCodes.Status201Created), TypedResults.Created((string?)null, token));
        await AssertSameAsync(app, Results.StatusCode(StatusCodes.Status201Created), TypedResults.Created());
        await AssertSameAsync(app, Results.Ok(token), TypedResults.Ok(token));
        await AssertSameAsync(app, Results.Ok(), TypedResults.Ok());

        // The control routes' anonymous objects became records with the same JSON.
        var now = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        var offset = TimeSpan.FromSeconds(90.5);
        await AssertSameAsync(app, Results.Ok(new { now, offset }), TypedResults.Ok(new ClockResponse(now, offset)));
        string[] contexts = ["5265877635", "7010002137"];
        await AssertSameAsync(app, Results.Ok(new { seed = 7, sessions = 3, invoices = 40, contexts = contexts.Select(c => c) }),
            TypedResults.Ok(new ResetResponse(7, 3, 40, contexts.Select(c => c))));
        IReadOnlyDictionary<string, int?[]> limits = new Dictionary<string, int?[]> { ["GET /sessions"] = [10, null, 1200] };
        await AssertSameAsync(app, Results.Ok(new { enabled = true, operations = limits }), TypedResults.Ok(new RateLimitsResponse(true, limits)));
        await AssertSameAsync(app, Results.Ok(new { enabled = false }), TypedResults.Ok(new RateLimitSwitch(false)));
    }

    [Fact]
    public async Task EndpointsStateWhatTheyAnswer()
    {
        await using var app = SandboxApp.Build(["--urls", "http://127.0.0.1:0"]);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);

        // No handler hides what it answers behind IResult.
        var untyped = endpoints
            .Where(e => e.Metadata.GetMetadata<MethodInfo>()?.ReturnType is { } type && (type == typeof(IResult) || type == typeof(Task<IResult>) || type == typeof(ValueTask<IResult>)))
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.Empty(untyped);

        HashSet<int> Statuses(string name) =>
        [
            .. endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name)
                .Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode),
        ];

        // The handler's own answers, plus 401/403 of the access-token filter and 429 of the rate limiter.
        Assert.Equal(new[] { 200, 400, 401, 403, 429 }, Statuses("GetTokens").Order().ToArray());
        Assert.Equal(new[] { 202, 400, 401, 403, 429 }, Statuses("GenerateToken").Order().ToArray());
        Assert.Equal(new[] { 201, 400, 401, 403, 429 }, Statuses("OpenOnlineSession").Order().ToArray());
        Assert.Equal(new[] { 200, 400, 401, 403, 410, 429 }, Statuses("GetInvoiceExportStatus").Order().ToArray());
        // No access-token filter here: the handler checks the operation's token itself.
        Assert.Equal(new[] { 200, 400, 401, 410, 429 }, Statuses("GetAuthenticationStatus").Order().ToArray());
        Assert.Equal(new[] { 202, 400, 429 }, Statuses("AuthenticateWithKsefToken").Order().ToArray());
        // Outside /v2: no filters.
        Assert.Equal(new[] { 200, 400 }, Statuses("AdvanceClock").Order().ToArray());
        Assert.Equal(new[] { 201 }, Statuses("UploadBatchPart").Order().ToArray());

        var page = endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "GetSessionInvoices")
            .Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Single(m => m.StatusCode == 200);
        Assert.Equal(typeof(Contracts.SessionInvoicesResponse), page.Type);
        var badRequest = endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "GetTokens")
            .Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Where(m => m.StatusCode == 400).ToList();
        Assert.Equal(new[] { "application/json", "application/problem+json" }, badRequest.SelectMany(m => m.ContentTypes).Order().ToArray());
    }
}
