using System.Diagnostics;
using KsefGen.Sandbox.Contracts;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// KSeF's error shapes, as <see cref="KsefError"/> results: 400 as ExceptionResponse JSON, or as application/problem+json when the request sends
/// <c>X-Error-Format: problem-details</c>; 401 always as problem+json.
/// </summary>
internal static class KsefResults
{
    /// <summary>The header that switches 400/429 bodies to problem details.</summary>
    public const string ErrorFormatHeader = "X-Error-Format";

    /// <summary>A 400 with one KSeF error code.</summary>
    public static KsefBadRequest BadRequest(HttpContext http, int code, string description, params string[] details)
    {
        var (now, traceId) = (Now(http), TraceId(http));
        if (WantsProblemDetails(http)) return new KsefBadRequest(ProblemBody(http, StatusCodes.Status400BadRequest, "Bad Request", code, description, details, now, traceId));
        return new KsefBadRequest(LegacyBody(code, description, details, now, traceId));
    }

    /// <summary>A 500 in the KSeF error shape: a bug in the sandbox, never the client's fault.</summary>
    public static KsefInternalError InternalError(HttpContext http, string detail)
    {
        var (now, traceId) = (Now(http), TraceId(http));
        const int code = 500;
        const string description = "Internal server error.";
        if (WantsProblemDetails(http)) return new KsefInternalError(ProblemBody(http, StatusCodes.Status500InternalServerError, "Internal Server Error", code, description, [detail], now, traceId));
        return new KsefInternalError(LegacyBody(code, description, [detail], now, traceId));
    }

    private static BadRequestProblemDetails ProblemBody(HttpContext http, int httpStatus, string title, int code, string description, string[] details, DateTimeOffset now, string traceId) => new()
    {
        Title = title,
        Status = httpStatus,
        Instance = http.Request.Path,
        Detail = description,
        Errors = [new ApiError { Code = code, Description = description, Details = details.Length > 0 ? details : null }],
        Timestamp = now,
        TraceId = traceId,
    };

    // ExceptionResponse is deprecated in the spec, but it is still what KSeF sends without X-Error-Format.
#pragma warning disable CS0618
    private static ExceptionResponse LegacyBody(int code, string description, string[] details, DateTimeOffset now, string traceId) => new()
    {
        Exception = new ExceptionInfo
        {
            ExceptionDetailList = [new ExceptionDetails { ExceptionCode = code, ExceptionDescription = description, Details = details.Length > 0 ? details : null }],
            ServiceCode = traceId,
            ServiceName = "KsefGen.Sandbox",
            Timestamp = now,
        },
    };
#pragma warning restore CS0618

    /// <summary>
    /// The generated contracts bound to lenient options, for reading request bodies: property names match
    /// case-insensitively (exact first), as ASP.NET on the live server reads them. Responses are written with the exact
    /// spellings of the spec.
    /// </summary>
    public static KsefJsonContext Lenient { get; } = new(new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true });

    /// <summary>401 problem details.</summary>
    public static KsefUnauthorized Unauthorized(HttpContext http, string detail)
    {
        var now = Now(http);
        return new KsefUnauthorized(new UnauthorizedProblemDetails
        {
            Title = "Unauthorized",
            Status = StatusCodes.Status401Unauthorized,
            Detail = detail,
            Instance = http.Request.Path,
            TraceId = TraceId(http),
            Timestamp = now,
        });
    }

    /// <summary>403 problem details: the caller lacks the permission (reasonCode missing-permissions).</summary>
    public static KsefForbidden Forbidden(HttpContext http, string detail, string reasonCode = "missing-permissions") =>
        new(new ForbiddenProblemDetails
        {
            Title = "Forbidden",
            Status = StatusCodes.Status403Forbidden,
            Detail = detail,
            Instance = http.Request.Path,
            ReasonCode = reasonCode,
            TraceId = TraceId(http),
            Timestamp = Now(http),
        });

    /// <summary>410 problem details (an authentication operation past its retention).</summary>
    public static KsefGone Gone(HttpContext http, string detail) =>
        new(new GoneProblemDetails
        {
            Title = "Gone",
            Status = StatusCodes.Status410Gone,
            Detail = detail,
            Instance = http.Request.Path,
            TraceId = TraceId(http),
            Timestamp = Now(http),
        });

    /// <summary>429 with Retry-After, as legacy JSON or problem details (X-Error-Format).</summary>
    public static KsefTooManyRequests TooManyRequests(HttpContext http, int retryAfterSeconds, string detail)
    {
        if (WantsProblemDetails(http))
        {
            return new KsefTooManyRequests(new TooManyRequestsProblemDetails
            {
                Title = "Too Many Requests",
                Status = StatusCodes.Status429TooManyRequests,
                Detail = detail,
                Instance = http.Request.Path,
                TraceId = TraceId(http),
                Timestamp = Now(http),
            }, retryAfterSeconds);
        }
#pragma warning disable CS0618 // deprecated in the spec, still the default shape
        return new KsefTooManyRequests(new TooManyRequestsResponse
        {
            Status = new TooManyRequestsResponseStatus { Code = 429, Description = "Too Many Requests", Details = [detail] },
        }, retryAfterSeconds);
#pragma warning restore CS0618
    }

    /// <summary>
    /// Reads a JSON request body with the generated contract; a 400 (21405) instead of an exception for an empty body,
    /// a wrong content type or malformed JSON.
    /// </summary>
    public static async Task<(T? Value, KsefBadRequest? Failure)> ReadJsonAsync<T>(HttpContext http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
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
