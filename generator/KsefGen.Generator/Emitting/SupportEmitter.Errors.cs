namespace KsefGen.Generator.Emitting;

internal static partial class SupportEmitter
{
    // KsefApiException and KsefApiError: every non-2xx response, both KSeF error shapes.
    private const string ErrorsTemplate = """
namespace __NS__
{
    /// <summary>One error code of a KSeF error response (ExceptionResponse, problem+json errors, or the legacy 429 body).</summary>
    public sealed class KsefApiError
    {
        /// <summary>Creates an error entry.</summary>
        public KsefApiError(int code, string? description, global::System.Collections.Generic.IReadOnlyList<string> details)
        {
            Code = code;
            Description = description;
            Details = details ?? global::System.Array.Empty<string>();
        }

        /// <summary>The KSeF exception code, such as 21405 or 21418.</summary>
        public int Code { get; }

        /// <summary>What the code means, as the server wrote it.</summary>
        public string? Description { get; }

        /// <summary>Specifics of this occurrence.</summary>
        public global::System.Collections.Generic.IReadOnlyList<string> Details { get; }

        /// <summary>"21405 Description (detail; detail)".</summary>
        public override string ToString() => Code.ToString(global::System.Globalization.CultureInfo.InvariantCulture)
            + (Description is null ? "" : " " + Description)
            + (Details.Count == 0 ? "" : " (" + string.Join("; ", Details) + ")");
    }

    /// <summary>
    /// A KSeF API call answered with a status other than 2xx. Parses both error shapes KSeF uses: the legacy
    /// <c>ExceptionResponse</c> JSON and <c>application/problem+json</c> (sent when the request carries
    /// <c>X-Error-Format: problem-details</c>, and always for 401/403), plus the legacy 429 body. The raw body is
    /// kept, so an HTML error page from a gateway (TEST sometimes answers 502/503 with one) is still visible.
    /// </summary>
    public sealed class KsefApiException : global::System.Exception
    {
        /// <summary>Creates the exception from already parsed parts.</summary>
        public KsefApiException(
            global::System.Net.HttpStatusCode statusCode,
            string message,
            global::System.Collections.Generic.IReadOnlyList<global::__NS__.KsefApiError> errors,
            string? responseBody,
            string? contentType)
            : base(message)
        {
            StatusCode = statusCode;
            Errors = errors ?? global::System.Array.Empty<global::__NS__.KsefApiError>();
            ResponseBody = responseBody;
            ContentType = contentType;
        }

        /// <summary>The HTTP status of the response.</summary>
        public global::System.Net.HttpStatusCode StatusCode { get; }

        /// <summary>Every KSeF error code the body listed (possibly none).</summary>
        public global::System.Collections.Generic.IReadOnlyList<global::__NS__.KsefApiError> Errors { get; }

        /// <summary>The first KSeF exception code, or null.</summary>
        public int? ExceptionCode => Errors.Count > 0 ? Errors[0].Code : null;

        /// <summary>The first error's description, or the problem detail/title.</summary>
        public string? Description => Errors.Count > 0 ? Errors[0].Description : Detail ?? Title;

        /// <summary>The first error's details.</summary>
        public global::System.Collections.Generic.IReadOnlyList<string> Details => Errors.Count > 0 ? Errors[0].Details : global::System.Array.Empty<string>();

        /// <summary>Problem details: title.</summary>
        public string? Title { get; init; }

        /// <summary>Problem details: detail.</summary>
        public string? Detail { get; init; }

        /// <summary>Problem details: instance (the request path).</summary>
        public string? Instance { get; init; }

        /// <summary>Problem details: traceId, or the legacy serviceCode, to quote when asking the Ministry for help.</summary>
        public string? TraceId { get; init; }

        /// <summary>403 problem details: reasonCode (missing-permissions, ip-not-allowed, ...).</summary>
        public string? ReasonCode { get; init; }

        /// <summary>Legacy ExceptionResponse: referenceNumber.</summary>
        public string? ReferenceNumber { get; init; }

        /// <summary>When the server produced the error.</summary>
        public global::System.DateTimeOffset? Timestamp { get; init; }

        /// <summary>The Retry-After header as a delay (seconds form), when present.</summary>
        public global::System.TimeSpan? RetryAfter { get; init; }

        /// <summary>The Retry-After header as a moment (HTTP-date form), when present.</summary>
        public global::System.DateTimeOffset? RetryAfterDate { get; init; }

        /// <summary>True when the body was application/problem+json.</summary>
        public bool IsProblemDetails { get; init; }

        /// <summary>The raw response body (for an HTML page or an unknown shape).</summary>
        public string? ResponseBody { get; }

        /// <summary>The response Content-Type.</summary>
        public string? ContentType { get; }

        /// <summary>Reads a non-success response into an exception (the body is read; the response is not disposed).</summary>
        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefApiException> FromResponseAsync(
            global::System.Net.Http.HttpResponseMessage response,
            global::System.Threading.CancellationToken cancellationToken = default)
        {
            if (response is null) throw new global::System.ArgumentNullException(nameof(response));
            string? body = null;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (global::System.Net.Http.HttpRequestException)
            {
            }
            var contentType = response.Content.Headers.ContentType?.MediaType;
            return Parse(response.StatusCode, response.ReasonPhrase, contentType, body,
                response.Headers.RetryAfter?.Delta, response.Headers.RetryAfter?.Date);
        }

        /// <summary>Parses an error body of any KSeF shape; never throws on a malformed body.</summary>
        public static global::__NS__.KsefApiException Parse(
            global::System.Net.HttpStatusCode statusCode,
            string? reasonPhrase,
            string? contentType,
            string? body,
            global::System.TimeSpan? retryAfter = null,
            global::System.DateTimeOffset? retryAfterDate = null)
        {
            var errors = new global::System.Collections.Generic.List<global::__NS__.KsefApiError>();
            string? title = null, detail = null, instance = null, traceId = null, reasonCode = null, referenceNumber = null;
            global::System.DateTimeOffset? timestamp = null;
            var problem = contentType is not null && contentType.EndsWith("problem+json", global::System.StringComparison.OrdinalIgnoreCase);
            if (!string.IsNullOrWhiteSpace(body) && body!.TrimStart().StartsWith("{", global::System.StringComparison.Ordinal))
            {
                try
                {
                    using var document = global::System.Text.Json.JsonDocument.Parse(body);
                    var root = document.RootElement;
                    if (root.ValueKind == global::System.Text.Json.JsonValueKind.Object)
                    {
                        if (root.TryGetProperty("exception", out var exception) && exception.ValueKind == global::System.Text.Json.JsonValueKind.Object)
                        {
                            if (exception.TryGetProperty("exceptionDetailList", out var list) && list.ValueKind == global::System.Text.Json.JsonValueKind.Array)
                            {
                                foreach (var item in list.EnumerateArray()) AddError(errors, item, "exceptionCode", "exceptionDescription");
                            }
                            referenceNumber = Text(exception, "referenceNumber");
                            traceId = Text(exception, "serviceCode");
                            timestamp = Time(exception, "timestamp");
                        }
                        else if (root.TryGetProperty("status", out var status) && status.ValueKind == global::System.Text.Json.JsonValueKind.Object)
                        {
                            AddError(errors, status, "code", "description");
                        }
                        if (root.TryGetProperty("errors", out var problemErrors) && problemErrors.ValueKind == global::System.Text.Json.JsonValueKind.Array)
                        {
                            foreach (var item in problemErrors.EnumerateArray()) AddError(errors, item, "code", "description");
                        }
                        title = Text(root, "title");
                        detail = Text(root, "detail");
                        instance = Text(root, "instance");
                        traceId ??= Text(root, "traceId");
                        reasonCode = Text(root, "reasonCode");
                        timestamp ??= Time(root, "timestamp");
                    }
                }
                catch (global::System.Text.Json.JsonException)
                {
                    // Not JSON after all: the raw body stays available.
                }
            }

            var message = new global::System.Text.StringBuilder("KSeF API answered ")
                .Append((int)statusCode).Append(' ').Append(reasonPhrase ?? statusCode.ToString());
            if (errors.Count > 0)
            {
                message.Append(": ").Append(string.Join("; ", errors));
            }
            else if (detail is not null || title is not null)
            {
                message.Append(": ").Append(detail ?? title);
            }
            else if (!string.IsNullOrWhiteSpace(body))
            {
                var trimmed = body!.Trim();
                message.Append(" with a body that is not a KSeF error (").Append(contentType ?? "no content type").Append("): ")
                    .Append(trimmed.Length > 200 ? trimmed.Substring(0, 200) + "..." : trimmed);
            }
            if (retryAfter is { } delay) message.Append(". Retry after ").Append(delay.TotalSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture)).Append(" s");
            if (traceId is not null) message.Append(". Trace id: ").Append(traceId);

            return new global::__NS__.KsefApiException(statusCode, message.ToString(), errors, body, contentType)
            {
                Title = title,
                Detail = detail,
                Instance = instance,
                TraceId = traceId,
                ReasonCode = reasonCode,
                ReferenceNumber = referenceNumber,
                Timestamp = timestamp,
                RetryAfter = retryAfter,
                RetryAfterDate = retryAfterDate,
                IsProblemDetails = problem,
            };
        }

        private static void AddError(global::System.Collections.Generic.List<global::__NS__.KsefApiError> errors, global::System.Text.Json.JsonElement item, string codeName, string descriptionName)
        {
            if (item.ValueKind != global::System.Text.Json.JsonValueKind.Object) return;
            if (!item.TryGetProperty(codeName, out var code) || code.ValueKind != global::System.Text.Json.JsonValueKind.Number || !code.TryGetInt32(out var value)) return;
            var details = new global::System.Collections.Generic.List<string>();
            if (item.TryGetProperty("details", out var list) && list.ValueKind == global::System.Text.Json.JsonValueKind.Array)
            {
                foreach (var d in list.EnumerateArray())
                {
                    if (d.ValueKind == global::System.Text.Json.JsonValueKind.String) details.Add(d.GetString()!);
                }
            }
            errors.Add(new global::__NS__.KsefApiError(value, Text(item, descriptionName), details));
        }

        private static string? Text(global::System.Text.Json.JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == global::System.Text.Json.JsonValueKind.String ? value.GetString() : null;

        private static global::System.DateTimeOffset? Time(global::System.Text.Json.JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == global::System.Text.Json.JsonValueKind.String && value.TryGetDateTimeOffset(out var time) ? time : null;
    }
}
""";
}
