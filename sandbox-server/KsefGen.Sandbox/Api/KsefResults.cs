using System.Diagnostics;
using KsefGen.Sandbox.Contracts;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// KSeF's error shapes: 400 as ExceptionResponse JSON, or as application/problem+json when the request sends
/// <c>X-Error-Format: problem-details</c>; 401 always as problem+json.
/// </summary>
internal static class KsefResults
{
    /// <summary>The header that switches 400/429 bodies to problem details.</summary>
    public const string ErrorFormatHeader = "X-Error-Format";

    /// <summary>A 400 with one KSeF error code.</summary>
    public static IResult BadRequest(HttpContext http, int code, string description, params string[] details) =>
        Error(http, StatusCodes.Status400BadRequest, code, description, details);

    /// <summary>A 500 in the KSeF error shape: a bug in the sandbox, never the client's fault.</summary>
    public static IResult InternalError(HttpContext http, string detail) =>
        Error(http, StatusCodes.Status500InternalServerError, 500, "Internal server error.", [detail]);

    private static IResult Error(HttpContext http, int httpStatus, int code, string description, string[] details)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var traceId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        if (WantsProblemDetails(http))
        {
            return Results.Json(new BadRequestProblemDetails
            {
                Title = httpStatus == StatusCodes.Status400BadRequest ? "Bad Request" : "Internal Server Error",
                Status = httpStatus,
                Instance = http.Request.Path,
                Detail = description,
                Errors = [new ApiError { Code = code, Description = description, Details = details.Length > 0 ? details : null }],
                Timestamp = now,
                TraceId = traceId,
            }, contentType: "application/problem+json", statusCode: httpStatus);
        }
        // ExceptionResponse is deprecated in the spec, but it is still what KSeF sends without X-Error-Format.
#pragma warning disable CS0618
        return Results.Json(new ExceptionResponse
        {
            Exception = new ExceptionInfo
            {
                ExceptionDetailList = [new ExceptionDetails { ExceptionCode = code, ExceptionDescription = description, Details = details.Length > 0 ? details : null }],
                ServiceCode = traceId,
                ServiceName = "KsefGen.Sandbox",
                Timestamp = now,
            },
        }, statusCode: httpStatus);
#pragma warning restore CS0618
    }

    /// <summary>
    /// The generated contracts bound to lenient options, for reading request bodies: property names match
    /// case-insensitively (exact first), as ASP.NET on the live server reads them. Responses are written with the exact
    /// spellings of the spec.
    /// </summary>
    public static KsefJsonContext Lenient { get; } = new(new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true });

    /// <summary>401 problem details.</summary>
    public static IResult Unauthorized(HttpContext http, string detail)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return Results.Json(new UnauthorizedProblemDetails
        {
            Title = "Unauthorized",
            Status = StatusCodes.Status401Unauthorized,
            Detail = detail,
            Instance = http.Request.Path,
            TraceId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            Timestamp = now,
        }, contentType: "application/problem+json", statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>403 problem details: the caller lacks the permission (reasonCode missing-permissions).</summary>
    public static IResult Forbidden(HttpContext http, string detail, string reasonCode = "missing-permissions") =>
        Results.Json(new ForbiddenProblemDetails
        {
            Title = "Forbidden",
            Status = StatusCodes.Status403Forbidden,
            Detail = detail,
            Instance = http.Request.Path,
            ReasonCode = reasonCode,
            TraceId = TraceId(http),
            Timestamp = Now(http),
        }, contentType: "application/problem+json", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>410 problem details (an authentication operation past its retention).</summary>
    public static IResult Gone(HttpContext http, string detail) =>
        Results.Json(new GoneProblemDetails
        {
            Title = "Gone",
            Status = StatusCodes.Status410Gone,
            Detail = detail,
            Instance = http.Request.Path,
            TraceId = TraceId(http),
            Timestamp = Now(http),
        }, contentType: "application/problem+json", statusCode: StatusCodes.Status410Gone);

    /// <summary>429 with Retry-After, as legacy JSON or problem details (X-Error-Format).</summary>
    public static IResult TooManyRequests(HttpContext http, int retryAfterSeconds, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (WantsProblemDetails(http))
        {
            return Results.Json(new TooManyRequestsProblemDetails
            {
                Title = "Too Many Requests",
                Status = StatusCodes.Status429TooManyRequests,
                Detail = detail,
                Instance = http.Request.Path,
                TraceId = TraceId(http),
                Timestamp = Now(http),
            }, contentType: "application/problem+json", statusCode: StatusCodes.Status429TooManyRequests);
        }
#pragma warning disable CS0618 // deprecated in the spec, still the default shape
        return Results.Json(new TooManyRequestsResponse
        {
            Status = new TooManyRequestsResponseStatus { Code = 429, Description = "Too Many Requests", Details = [detail] },
        }, statusCode: StatusCodes.Status429TooManyRequests);
#pragma warning restore CS0618
    }

    /// <summary>
    /// Reads a JSON request body with the generated contract; a 400 (21405) instead of an exception for an empty body,
    /// a wrong content type or malformed JSON.
    /// </summary>
    public static async Task<(T? Value, IResult? Failure)> ReadJsonAsync<T>(HttpContext http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (!http.Request.HasJsonContentType()) return (null, KsefErrors.InvalidInput(http, "The request body must be application/json."));
        try
        {
            var value = await System.Text.Json.JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted);
            return value is null ? (null, KsefErrors.InvalidInput(http, "The request body is empty.")) : (value, null);
        }
        catch (System.Text.Json.JsonException e)
        {
            return (null, KsefErrors.InvalidInput(http, "The request body is not valid JSON: " + e.Message));
        }
    }

    private static DateTimeOffset Now(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    private static string TraceId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    private static bool WantsProblemDetails(HttpContext http) =>
        http.Request.Headers.TryGetValue(ErrorFormatHeader, out var value)
        && value.Any(v => string.Equals(v, "problem-details", StringComparison.OrdinalIgnoreCase));
}
