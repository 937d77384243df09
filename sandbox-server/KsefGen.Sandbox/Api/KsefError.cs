using System.Globalization;
using System.Reflection;
using KsefGen.Sandbox.Contracts;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// A KSeF error answer: its HTTP status and its body, one of the spec's error shapes, written as JSON through the app's
/// HTTP JSON options (the source-generated <see cref="KsefJsonContext"/> first) — the bytes and content type
/// <c>Results.Json(body, contentType, statusCode)</c> writes. There is one sealed type per status
/// (<see cref="KsefBadRequest"/>, <see cref="KsefUnauthorized"/>, <see cref="KsefForbidden"/>, <see cref="KsefGone"/>,
/// <see cref="KsefTooManyRequests"/>, and <see cref="KsefInternalError"/> for the exception handler), so a handler's
/// <c>Results&lt;Ok&lt;T&gt;, KsefBadRequest, KsefGone&gt;</c> says which errors it answers, and each of the types a
/// handler can return adds the <see cref="ProducesResponseTypeMetadata"/> of the shapes it writes to its endpoint.
/// </summary>
internal abstract class KsefError : IResult, IStatusCodeHttpResult, IValueHttpResult, IContentTypeHttpResult
{
    /// <summary>The content type of the legacy JSON shapes (what <c>WriteAsJsonAsync</c> sends when given none).</summary>
    public const string Json = "application/json; charset=utf-8";

    /// <summary>The content type of the problem-details shapes.</summary>
    public const string ProblemJson = "application/problem+json";

    private protected KsefError(int statusCode, object value, string contentType)
    {
        StatusCode = statusCode;
        Value = value;
        ContentType = contentType;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>The body: one of the generated error DTOs.</summary>
    public object Value { get; }

    object? IValueHttpResult.Value => Value;

    /// <summary><see cref="Json"/> or <see cref="ProblemJson"/>.</summary>
    public string ContentType { get; }

    string? IContentTypeHttpResult.ContentType => ContentType;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        httpContext.Response.StatusCode = StatusCode;
        AddHeaders(httpContext.Response);
        // The body types are sealed: their own type info is the one Results.Json would pick for them.
        return httpContext.Response.WriteAsJsonAsync(Value, options.GetTypeInfo(Value.GetType()), ContentType);
    }

    /// <summary>Headers the status comes with (Retry-After on 429).</summary>
    private protected virtual void AddHeaders(HttpResponse response)
    {
    }

    /// <summary>The metadata of one shape: a status, a body type and its content type.</summary>
    private protected static ProducesResponseTypeMetadata Produces(int statusCode, Type type, string contentType) =>
        new(statusCode, type, [contentType == Json ? "application/json" : contentType]);

    /// <summary>Adds <paramref name="metadata"/> to the endpoint.</summary>
    private protected static void Add(EndpointBuilder builder, IReadOnlyList<ProducesResponseTypeMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var item in metadata) builder.Metadata.Add(item);
    }
}

#pragma warning disable CS0618 // ExceptionResponse and TooManyRequestsResponse are deprecated in the spec, still what KSeF sends by default

/// <summary>HTTP 400 with KSeF error codes: ExceptionResponse, or BadRequestProblemDetails when the request asks for problem details.</summary>
internal sealed class KsefBadRequest : KsefError, IEndpointMetadataProvider
{
    /// <summary>A 400 in the legacy shape.</summary>
    public KsefBadRequest(ExceptionResponse value) : base(StatusCodes.Status400BadRequest, value, Json)
    {
    }

    /// <summary>A 400 as problem details.</summary>
    public KsefBadRequest(BadRequestProblemDetails value) : base(StatusCodes.Status400BadRequest, value, ProblemJson)
    {
    }

    /// <summary>What a 400 can look like.</summary>
    public static IReadOnlyList<ProducesResponseTypeMetadata> Metadata { get; } =
        [Produces(StatusCodes.Status400BadRequest, typeof(ExceptionResponse), Json), Produces(StatusCodes.Status400BadRequest, typeof(BadRequestProblemDetails), ProblemJson)];

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Add(builder, Metadata);
}

/// <summary>HTTP 401 problem details (a missing, invalid, expired or revoked bearer token).</summary>
internal sealed class KsefUnauthorized(UnauthorizedProblemDetails value) : KsefError(StatusCodes.Status401Unauthorized, value, ProblemJson), IEndpointMetadataProvider
{
    /// <summary>What a 401 looks like.</summary>
    public static IReadOnlyList<ProducesResponseTypeMetadata> Metadata { get; } = [Produces(StatusCodes.Status401Unauthorized, typeof(UnauthorizedProblemDetails), ProblemJson)];

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Add(builder, Metadata);
}

/// <summary>HTTP 403 problem details (the caller lacks a permission).</summary>
internal sealed class KsefForbidden(ForbiddenProblemDetails value) : KsefError(StatusCodes.Status403Forbidden, value, ProblemJson), IEndpointMetadataProvider
{
    /// <summary>What a 403 looks like.</summary>
    public static IReadOnlyList<ProducesResponseTypeMetadata> Metadata { get; } = [Produces(StatusCodes.Status403Forbidden, typeof(ForbiddenProblemDetails), ProblemJson)];

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Add(builder, Metadata);
}

/// <summary>HTTP 410 problem details (an operation past its retention).</summary>
internal sealed class KsefGone(GoneProblemDetails value) : KsefError(StatusCodes.Status410Gone, value, ProblemJson), IEndpointMetadataProvider
{
    /// <summary>What a 410 looks like.</summary>
    public static IReadOnlyList<ProducesResponseTypeMetadata> Metadata { get; } = [Produces(StatusCodes.Status410Gone, typeof(GoneProblemDetails), ProblemJson)];

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Add(builder, Metadata);
}

/// <summary>HTTP 429 with Retry-After: TooManyRequestsResponse, or problem details when the request asks for them.</summary>
internal sealed class KsefTooManyRequests : KsefError, IEndpointMetadataProvider
{
    /// <summary>A 429 in the legacy shape.</summary>
    public KsefTooManyRequests(TooManyRequestsResponse value, int retryAfterSeconds) : base(StatusCodes.Status429TooManyRequests, value, Json) =>
        RetryAfterSeconds = retryAfterSeconds;

    /// <summary>A 429 as problem details.</summary>
    public KsefTooManyRequests(TooManyRequestsProblemDetails value, int retryAfterSeconds) : base(StatusCodes.Status429TooManyRequests, value, ProblemJson) =>
        RetryAfterSeconds = retryAfterSeconds;

    /// <summary>The Retry-After header's seconds.</summary>
    public int RetryAfterSeconds { get; }

    /// <summary>What a 429 can look like.</summary>
    public static IReadOnlyList<ProducesResponseTypeMetadata> Metadata { get; } =
        [Produces(StatusCodes.Status429TooManyRequests, typeof(TooManyRequestsResponse), Json), Produces(StatusCodes.Status429TooManyRequests, typeof(TooManyRequestsProblemDetails), ProblemJson)];

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Add(builder, Metadata);

    private protected override void AddHeaders(HttpResponse response) =>
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
}

/// <summary>HTTP 500 in the shapes of a 400 (a bug in the sandbox, never the client's fault): answered by the exception handler only, so no handler declares it.</summary>
internal sealed class KsefInternalError : KsefError
{
    /// <summary>A 500 in the legacy shape.</summary>
    public KsefInternalError(ExceptionResponse value) : base(StatusCodes.Status500InternalServerError, value, Json)
    {
    }

    /// <summary>A 500 as problem details.</summary>
    public KsefInternalError(BadRequestProblemDetails value) : base(StatusCodes.Status500InternalServerError, value, ProblemJson)
    {
    }
}

#pragma warning restore CS0618
