using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace KsefGen.Runtime.Api;

/// <summary>One error KSeF listed in an error response.</summary>
/// <param name="Code">The KSeF exception code.</param>
/// <param name="Description">The description as KSeF sent it (Polish on the live server).</param>
/// <param name="Details">Details (the field, the value, the limit).</param>
public sealed record KsefError(int Code, string? Description, IReadOnlyList<string> Details)
{
    /// <summary>The documented meaning and advice for <see cref="Code"/>.</summary>
    public KsefErrorCodeInfo Info => KsefErrorCodes.Describe(Code);
}

/// <summary>
/// A call the runtime made to KSeF (authentication, sending) answered with an error. Carries the HTTP status, the KSeF
/// exception code with its documented meaning and advice, and the raw body. Both error shapes are read: the legacy
/// <c>ExceptionResponse</c> JSON and <c>application/problem+json</c>.
/// </summary>
public class KsefRequestException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="errors">The KSeF errors listed.</param>
    /// <param name="responseBody">The raw body.</param>
    public KsefRequestException(string message, HttpStatusCode statusCode, IReadOnlyList<KsefError> errors, string? responseBody)
        : base(message, null, statusCode)
    {
        Errors = errors;
        ResponseBody = responseBody;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public KsefRequestException() : this("KSeF answered with an error.", 0, [], null) { }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public KsefRequestException(string message) : this(message, 0, [], null) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public KsefRequestException(string message, Exception inner) : base(message, inner)
    {
        Errors = [];
    }

    /// <summary>Every error KSeF listed (possibly none, e.g. for an HTML gateway page).</summary>
    public IReadOnlyList<KsefError> Errors { get; }

    /// <summary>The first KSeF exception code, or null.</summary>
    public int? ExceptionCode => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>The documented meaning and advice of <see cref="ExceptionCode"/>, or null.</summary>
    public KsefErrorCodeInfo? Info => Errors.Count > 0 ? Errors[0].Info : null;

    /// <summary>The raw response body.</summary>
    public string? ResponseBody { get; }

    /// <summary>The trace id (problem details) or service code (legacy shape), to quote when asking for help.</summary>
    public string? TraceId { get; init; }

    /// <summary>The wait a 429 (or 503) asked for in its <c>Retry-After</c> header, when it had one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The operation that failed, e.g. <c>POST sessions/online</c>.</summary>
    public string? Operation { get; init; }

    /// <summary>Reads a failed response into an exception (never throws on a malformed body).</summary>
    /// <param name="response">The response.</param>
    /// <param name="operation">What was being done, for the message.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The exception to throw.</returns>
    public static async Task<KsefRequestException> FromResponseAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? body = null;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
        }
        var parsed = Parse(response.StatusCode, operation, body);
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        return retryAfter is null ? parsed : new KsefRequestException(parsed.Message, parsed.StatusCode ?? 0, parsed.Errors, body)
        {
            TraceId = parsed.TraceId,
            Operation = operation,
            RetryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter,
        };
    }

    /// <summary>For <see cref="Status.KsefPollingOptions.RetryAfter"/>: how long to wait after a 429 before polling again.</summary>
    /// <param name="exception">What a poll threw.</param>
    /// <returns>The wait, or null when the failure is not a rate limit.</returns>
    public static TimeSpan? RateLimitWait(Exception exception) =>
        exception is KsefRequestException { StatusCode: System.Net.HttpStatusCode.TooManyRequests } limited ? limited.RetryAfter ?? TimeSpan.FromSeconds(1) : null;

    /// <summary>Parses an error body of either KSeF shape.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="body">The body, if any.</param>
    /// <returns>The exception.</returns>
    public static KsefRequestException Parse(HttpStatusCode statusCode, string operation, string? body)
    {
        var errors = new List<KsefError>();
        string? traceId = null, detail = null;
        if (body is not null && body.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.TryGetProperty("exception", out var exception) && exception.ValueKind == JsonValueKind.Object)
                {
                    if (exception.TryGetProperty("exceptionDetailList", out var list) && list.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in list.EnumerateArray()) Add(errors, item, "exceptionCode", "exceptionDescription");
                    }
                    traceId = Text(exception, "serviceCode");
                }
                if (root.TryGetProperty("errors", out var problems) && problems.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in problems.EnumerateArray()) Add(errors, item, "code", "description");
                }
                if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
                {
                    Add(errors, status, "code", "description");
                }
                traceId ??= Text(root, "traceId");
                detail = Text(root, "detail") ?? Text(root, "title");
            }
            catch (JsonException)
            {
            }
        }
        var message = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{operation} failed with HTTP {(int)statusCode}");
        foreach (var error in errors)
        {
            message.Append(CultureInfo.InvariantCulture, $"; {error.Code} {error.Info.Meaning}");
            if (error.Description is { } description) message.Append(" (").Append(description).Append(')');
            if (error.Details.Count > 0) message.Append(": ").AppendJoin(" ", error.Details);
            message.Append(' ').Append(error.Info.Advice);
        }
        if (errors.Count == 0 && (detail ?? Shorten(body)) is { Length: > 0 } text) message.Append(": ").Append(text);
        if (traceId is not null) message.Append(" Trace id: ").Append(traceId).Append('.');
        return new KsefRequestException(message.ToString(), statusCode, errors, body) { TraceId = traceId, Operation = operation };
    }

    private static void Add(List<KsefError> errors, JsonElement item, string codeName, string descriptionName)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(codeName, out var code) || !code.TryGetInt32(out var value)) return;
        var details = new List<string>();
        if (item.TryGetProperty("details", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in list.EnumerateArray())
            {
                if (d.ValueKind == JsonValueKind.String) details.Add(d.GetString()!);
            }
        }
        errors.Add(new KsefError(value, Text(item, descriptionName), details));
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Shorten(string? body)
    {
        var trimmed = body?.Trim();
        return trimmed is { Length: > 200 } ? trimmed[..200] + "..." : trimmed;
    }
}
