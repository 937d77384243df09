using KsefGen.Sandbox.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KsefGen.Sandbox.Tests;

/// <summary>The KSeF error results send what the untyped results the error factories returned before sent.</summary>
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
}
