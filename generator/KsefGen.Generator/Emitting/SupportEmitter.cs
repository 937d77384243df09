using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>The types every generated client needs: errors, text/stream responses, JSON helpers and the JSON context.</summary>
internal static class SupportEmitter
{
    public static string EmitErrors(SpecModel spec) => new SourceWriter().Header() + ErrorsTemplate.Replace("__NS__", spec.Namespace);

    public static string EmitResponses(SpecModel spec) => new SourceWriter().Header() + ResponsesTemplate.Replace("__NS__", spec.Namespace);

    /// <summary>
    /// The internal helpers. With KsefGen.Runtime referenced (<paramref name="runtimePaging"/>), paging fails with the
    /// runtime's KsefPagingException, otherwise with InvalidOperationException.
    /// </summary>
    public static string EmitInternals(SpecModel spec, bool runtimePaging = false) => new SourceWriter().Header() + InternalsTemplate
        .Replace("__REPEATED_TOKEN__", runtimePaging
            ? "new global::KsefGen.Runtime.Paging.KsefPagingException(global::KsefGen.Runtime.Paging.PagingFailure.RepeatedContinuationToken, seen.Count, message)"
            : "new global::System.InvalidOperationException(message)")
        .Replace("__ENDLESS_PAGES__", runtimePaging
            ? "new global::KsefGen.Runtime.Paging.KsefPagingException(global::KsefGen.Runtime.Paging.PagingFailure.EndlessEmptyPages, (int)cursor, message)"
            : "new global::System.InvalidOperationException(message)")
        .Replace("__NS__", spec.Namespace);

    /// <summary>A JsonSerializerContext over the hand-written converters: no reflection, trim and AOT friendly.</summary>
    public static string EmitJsonContext(SpecModel spec)
    {
        var ns = spec.Namespace;
        var w = new SourceWriter().Header();
        w.Open($"namespace {ns}");
        w.Doc("summary", "JSON metadata for every generated model, enum and status-code type. Use it with JsonSerializer for trimmed or AOT-compiled apps: JsonSerializer.Serialize(value, KsefJsonContext.Default.SessionStatusResponse).");
        w.Open("public sealed partial class KsefJsonContext : global::System.Text.Json.Serialization.JsonSerializerContext, global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver");
        w.Doc("summary", "A context over default options.");
        w.Line("public static KsefJsonContext Default { get; } = new(new global::System.Text.Json.JsonSerializerOptions());");
        w.Line();
        w.Doc("summary", "A context bound to the given options.");
        w.Line("public KsefJsonContext(global::System.Text.Json.JsonSerializerOptions options) : base(options) { }");
        w.Line();
        w.Doc("summary", "No options were fixed at generation time.");
        w.Line("protected override global::System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;");

        var types = spec.Objects.Select(o => o.Name)
            .Concat(spec.Enums.Select(e => e.Name))
            .Concat(spec.StatusTables.Select(s => s.Name))
            .OrderBy(n => n, System.StringComparer.Ordinal)
            .ToList();
        // A property per type, named as the type; a name the context already has (its own members, object's) gets "Info".
        var reserved = new System.Collections.Generic.HashSet<string>(Reading.Naming.ObjectMembers, System.StringComparer.Ordinal) { "Default", "Options", "GetTypeInfo", "GeneratedSerializerOptions", "KsefJsonContext" };
        var taken = new System.Collections.Generic.HashSet<string>(reserved.Concat(types), System.StringComparer.Ordinal);
        var properties = new System.Collections.Generic.Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var name in types) properties[name] = reserved.Contains(name) ? Reading.Naming.Unique(name + "Info", taken) : name;
        string PropertyOf(string typeName) => properties[typeName];
        // Every type's metadata comes from its converter (each one a KsefJsonConverter<T>, which creates its own
        // JsonTypeInfo<T>): one table entry and one property per type instead of a generic call and two type tests each.
        w.Line();
        w.Line("private static readonly global::System.Collections.Generic.Dictionary<global::System.Type, global::" + ns + ".Internal.IKsefJsonTypeInfoFactory> s_factories = global::" + ns + ".Internal.KsefJsonTypeInfos.Table(new global::" + ns + ".Internal.IKsefJsonTypeInfoFactory[]");
        w.Line("{");
        foreach (var name in types) w.Line($"    new global::{ns}.Serialization.{name}JsonConverter(),");
        w.Line("});");
        w.Line();
        w.Line("private readonly global::System.Collections.Generic.Dictionary<global::System.Type, global::System.Text.Json.Serialization.Metadata.JsonTypeInfo> _infos = new();");
        w.Line();
        w.Line("private global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>() => (global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)GetTypeInfo(typeof(T))!;");
        foreach (var name in types)
        {
            var type = $"global::{ns}.{name}";
            w.Line();
            w.Doc("summary", $"Metadata for <see cref=\"{type}\"/>.");
            w.Line($"public global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{type}> {PropertyOf(name)} => Info<{type}>();");
        }
        w.Line();
        w.Doc("summary", "Metadata for a generated type (created once per context), or null for any other type.");
        w.Open("public override global::System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(global::System.Type type)");
        w.Open("lock (_infos)");
        w.Line("if (_infos.TryGetValue(type, out var info)) return info;");
        w.Line("if (!s_factories.TryGetValue(type, out var factory)) return null;");
        w.Line("return _infos[type] = factory.CreateTypeInfo(Options);");
        w.Close();
        w.Close();
        w.Line();
        w.Doc("summary", "Metadata bound to other options, so the context can sit in any TypeInfoResolverChain (ASP.NET Core, HttpClient JSON extensions).");
        w.Open("global::System.Text.Json.Serialization.Metadata.JsonTypeInfo? global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("if (options is null || ReferenceEquals(options, Options)) return GetTypeInfo(type);");
        w.Line("return s_factories.TryGetValue(type, out var factory) ? factory.CreateTypeInfo(options) : null;");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }

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

    private const string ResponsesTemplate = """
namespace __NS__
{
    /// <summary>A text response (a UPO in XML, for example) with its headers.</summary>
    public sealed class KsefTextResponse
    {
        /// <summary>Creates a text response.</summary>
        public KsefTextResponse(string content, string? contentType, global::System.Collections.Generic.IReadOnlyDictionary<string, string> headers)
        {
            Content = content;
            ContentType = contentType;
            Headers = headers;
        }

        /// <summary>The body.</summary>
        public string Content { get; }

        /// <summary>The Content-Type media type.</summary>
        public string? ContentType { get; }

        /// <summary>Response and content headers (several values of one header joined by ", "), case-insensitive names.</summary>
        public global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>The x-ms-meta-hash header: Base64 SHA-256 of the body, as KSeF sends it with a UPO.</summary>
        public string? ContentHash => Headers.TryGetValue("x-ms-meta-hash", out var hash) ? hash : null;
    }

    /// <summary>A streamed response body with its headers. Dispose it to release the connection.</summary>
    public sealed class KsefStreamResponse : global::System.IDisposable, global::System.IAsyncDisposable
    {
        private readonly global::System.Net.Http.HttpResponseMessage _response;

        /// <summary>Wraps an open response and its body stream.</summary>
        public KsefStreamResponse(global::System.Net.Http.HttpResponseMessage response, global::System.IO.Stream content, global::System.Collections.Generic.IReadOnlyDictionary<string, string> headers)
        {
            _response = response;
            Content = content;
            Headers = headers;
        }

        /// <summary>The body stream.</summary>
        public global::System.IO.Stream Content { get; }

        /// <summary>The Content-Type media type.</summary>
        public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

        /// <summary>Response and content headers, case-insensitive names.</summary>
        public global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>The x-ms-meta-hash header: Base64 SHA-256 of the body.</summary>
        public string? ContentHash => Headers.TryGetValue("x-ms-meta-hash", out var hash) ? hash : null;

        /// <summary>Closes the stream and the response.</summary>
        public void Dispose()
        {
            Content.Dispose();
            _response.Dispose();
        }

        /// <summary>Closes the stream and the response.</summary>
        public async global::System.Threading.Tasks.ValueTask DisposeAsync()
        {
            await Content.DisposeAsync().ConfigureAwait(false);
            _response.Dispose();
        }
    }

    /// <summary>One documented meaning of a status code: the (sub)table it came from, its text and details.</summary>
    public sealed class KsefStatusDescription
    {
        /// <summary>Creates a description.</summary>
        public KsefStatusDescription(string? scope, string text, global::System.Collections.Generic.IReadOnlyList<string> details)
        {
            Scope = scope;
            Text = text;
            Details = details;
        }

        /// <summary>The sub-table heading (for sessions: batch or online), or null.</summary>
        public string? Scope { get; }

        /// <summary>The description, as the spec writes it.</summary>
        public string Text { get; }

        /// <summary>The documented details (several rows of one code merge here).</summary>
        public global::System.Collections.Generic.IReadOnlyList<string> Details { get; }

        /// <summary>"Scope: text".</summary>
        public override string ToString() => Scope is null ? Text : Scope + ": " + Text;
    }
}
""";

    private const string InternalsTemplate = """
namespace __NS__.Internal
{
    /// <summary>Reads one JSON value.</summary>
    internal delegate T KsefReadFunc<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options);

    /// <summary>Creates the JSON metadata of the type its converter converts.</summary>
    internal interface IKsefJsonTypeInfoFactory
    {
        /// <summary>The converted type.</summary>
        global::System.Type? Type { get; }

        /// <summary>Metadata for the type, bound to the options, reading and writing through this converter.</summary>
        global::System.Text.Json.Serialization.Metadata.JsonTypeInfo CreateTypeInfo(global::System.Text.Json.JsonSerializerOptions options);
    }

    /// <summary>The base of every generated converter: a JsonConverter that also makes its type's metadata (no reflection).</summary>
    internal abstract class KsefJsonConverter<T> : global::System.Text.Json.Serialization.JsonConverter<T>, IKsefJsonTypeInfoFactory
    {
        public global::System.Text.Json.Serialization.Metadata.JsonTypeInfo CreateTypeInfo(global::System.Text.Json.JsonSerializerOptions options) =>
            global::System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<T>(options, this);
    }

    /// <summary>The KsefJsonContext's table of converters by type.</summary>
    internal static class KsefJsonTypeInfos
    {
        public static global::System.Collections.Generic.Dictionary<global::System.Type, IKsefJsonTypeInfoFactory> Table(IKsefJsonTypeInfoFactory[] factories)
        {
            var table = new global::System.Collections.Generic.Dictionary<global::System.Type, IKsefJsonTypeInfoFactory>(factories.Length);
            foreach (var factory in factories) table[factory.Type!] = factory;
            return table;
        }
    }

    /// <summary>The JSON property names of one model, in the spec's spelling, and the name matching of its converter.</summary>
    internal sealed class KsefJsonNames
    {
        private readonly byte[][] _utf8;

        public KsefJsonNames(params string[] names)
        {
            Names = names;
            _utf8 = new byte[names.Length][];
            for (var i = 0; i < names.Length; i++) _utf8[i] = global::System.Text.Encoding.UTF8.GetBytes(names[i]);
        }

        public string[] Names { get; }

        // Moves the reader (inside an object) to the value of the next known property and returns its slot, or -1 at the
        // end of the object; unknown properties are skipped. Exact names first: one allocation-free ValueTextEquals each.
        // Only a name none of them matched, and only when the options ask for it (ASP.NET's web defaults do), goes to the
        // case-insensitive lookup; a slot filled by its exact name is not overwritten by a case-insensitive duplicate,
        // whichever comes first in the document.
        public int Next(ref global::System.Text.Json.Utf8JsonReader reader, scoped global::System.Span<bool> exact, global::System.Text.Json.JsonSerializerOptions options)
        {
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject)
            {
                var slot = -1;
                for (var i = 0; i < _utf8.Length; i++)
                {
                    if (reader.ValueTextEquals(_utf8[i]))
                    {
                        slot = i;
                        break;
                    }
                }
                if (slot >= 0) exact[slot] = true;
                else if (options.PropertyNameCaseInsensitive) slot = KsefJson.MatchNameIgnoringCase(ref reader, Names, exact);
                reader.Read();
                if (slot >= 0) return slot;
                reader.Skip();
            }
            return -1;
        }
    }

    /// <summary>Collection and primitive helpers for the generated converters.</summary>
    internal static class KsefJson
    {
        public static global::System.Collections.Generic.List<T>? ReadList<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options, KsefReadFunc<T> read)
        {
            if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null) return null;
            if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartArray) throw new global::System.Text.Json.JsonException("Expected a JSON array.");
            var list = new global::System.Collections.Generic.List<T>();
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndArray)
            {
                list.Add(read(ref reader, options));
            }
            return list;
        }

        public static global::System.Collections.Generic.Dictionary<string, T>? ReadMap<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options, KsefReadFunc<T> read)
        {
            if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null) return null;
            if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject) throw new global::System.Text.Json.JsonException("Expected a JSON object.");
            var map = new global::System.Collections.Generic.Dictionary<string, T>(global::System.StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                map[key] = read(ref reader, options);
            }
            return map;
        }

        public static void WriteList<T>(global::System.Text.Json.Utf8JsonWriter writer, global::System.Collections.Generic.IReadOnlyList<T> list, global::System.Text.Json.JsonSerializerOptions options, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write)
        {
            writer.WriteStartArray();
            for (var i = 0; i < list.Count; i++) write(writer, list[i], options);
            writer.WriteEndArray();
        }

        public static void WriteMap<T>(global::System.Text.Json.Utf8JsonWriter writer, global::System.Collections.Generic.IReadOnlyDictionary<string, T> map, global::System.Text.Json.JsonSerializerOptions options, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write)
        {
            writer.WriteStartObject();
            foreach (var pair in map)
            {
                writer.WritePropertyName(pair.Key);
                write(writer, pair.Value, options);
            }
            writer.WriteEndObject();
        }

        // The fallback for a property name no exact UTF-8 comparison matched, taken only under PropertyNameCaseInsensitive
        // (ASP.NET's web defaults). With those options every unknown property comes here too, so the name is unescaped
        // into a stack buffer rather than a string.
        public static int MatchNameIgnoringCase(ref global::System.Text.Json.Utf8JsonReader reader, string[] names, scoped global::System.ReadOnlySpan<bool> exact)
        {
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            global::System.Span<char> buffer = stackalloc char[128];
            global::System.ReadOnlySpan<char> name = length <= buffer.Length
                ? buffer.Slice(0, reader.CopyString(buffer))
                : global::System.MemoryExtensions.AsSpan(reader.GetString());
            for (var i = 0; i < names.Length; i++)
            {
                if (global::System.MemoryExtensions.Equals(name, names[i], global::System.StringComparison.OrdinalIgnoreCase))
                {
                    // A slot its exact name already filled keeps that value.
                    return exact[i] ? -1 : i;
                }
            }
            return -1;
        }

        // A JSON null reads as null (OrNull) or as the type's default (OrDefault, for a required non-nullable property).
        public static int? Int32OrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetInt32();

        public static int Int32OrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetInt32();

        public static long? Int64OrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetInt64();

        public static long Int64OrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetInt64();

        public static double? DoubleOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDouble();

        public static double DoubleOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDouble();

        public static float? SingleOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetSingle();

        public static float SingleOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetSingle();

        public static decimal? DecimalOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDecimal();

        public static decimal DecimalOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDecimal();

        public static bool? BooleanOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetBoolean();

        public static bool BooleanOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetBoolean();

        public static global::System.DateTimeOffset? DateTimeOffsetOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDateTimeOffset();

        public static global::System.DateTimeOffset DateTimeOffsetOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDateTimeOffset();

        public static global::System.DateOnly? DateOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadDate(ref reader);

        public static global::System.DateOnly DateOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : ReadDate(ref reader);

        public static global::System.DateOnly ReadDate(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            var text = reader.GetString()!;
            if (global::System.DateOnly.TryParseExact(text, "yyyy-MM-dd", global::System.Globalization.CultureInfo.InvariantCulture, global::System.Globalization.DateTimeStyles.None, out var date)) return date;
            throw new global::System.Text.Json.JsonException("'" + text + "' is not a date (yyyy-MM-dd).");
        }

        public static global::System.Uri ReadUri(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            var text = reader.GetString()!;
            if (global::System.Uri.TryCreate(text, global::System.UriKind.RelativeOrAbsolute, out var uri)) return uri;
            throw new global::System.Text.Json.JsonException("'" + text + "' is not a URI.");
        }

        public static global::System.Text.Json.JsonElement ReadAny(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            using var document = global::System.Text.Json.JsonDocument.ParseValue(ref reader);
            return document.RootElement.Clone();
        }
    }

    /// <summary>
    /// The paging loops of every paged operation: each page is fetched when the caller asks for the next, and every item
    /// is yielded exactly once; a loop the server would make endless throws instead.
    /// </summary>
    internal static class KsefPaging
    {
        // KSeF's continuation style: the x-continuation-token header in, the continuationToken property out.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TPage> ContinuationAsync<TPage>(
            string operation,
            global::System.Func<string?, global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task<TPage>> fetch,
            global::System.Func<TPage, string?> next,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            string? cursor = null;
            var seen = new global::System.Collections.Generic.HashSet<string>(global::System.StringComparer.Ordinal);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await fetch(cursor, cancellationToken).ConfigureAwait(false);
                yield return page;
                var token = next(page);
                if (string.IsNullOrEmpty(token)) yield break;
                if (!seen.Add(token!))
                {
                    var message = operation + ": the server returned a continuation token it had already given; stopping instead of looping forever.";
                    throw __REPEATED_TOKEN__;
                }
                cursor = token;
            }
        }

        // KSeF's page-index style: pageOffset = 0, 1, 2 ... until a page's hasMore is false.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TPage> OffsetAsync<TPage>(
            string operation,
            global::System.Func<long, global::System.Threading.CancellationToken, global::System.Threading.Tasks.Task<TPage>> fetch,
            global::System.Func<TPage, bool> hasMore,
            global::System.Func<TPage, int> count,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            long cursor = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await fetch(cursor, cancellationToken).ConfigureAwait(false);
                yield return page;
                if (!hasMore(page)) yield break;
                if (count(page) == 0)
                {
                    var message = operation + ": the server sent an empty page that claims more pages; stopping instead of looping forever.";
                    throw __ENDLESS_PAGES__;
                }
                cursor++;
            }
        }

        // The items of every page, in order.
        public static async global::System.Collections.Generic.IAsyncEnumerable<TItem> ItemsAsync<TPage, TItem>(
            global::System.Collections.Generic.IAsyncEnumerable<TPage> pages,
            global::System.Func<TPage, global::System.Collections.Generic.IEnumerable<TItem>?> items,
            [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
        {
            await foreach (var page in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.WithCancellation(pages, cancellationToken).ConfigureAwait(false))
            {
                if (items(page) is not { } list) continue;
                foreach (var item in list) yield return item;
            }
        }
    }

    /// <summary>Request building and response reading shared by every client method.</summary>
    internal static class KsefHttp
    {
        public static void AddQuery(global::System.Text.StringBuilder url, string name, string value)
        {
            var hasQuery = false;
            for (var i = 0; i < url.Length; i++)
            {
                if (url[i] == '?')
                {
                    hasQuery = true;
                    break;
                }
            }
            url.Append(hasQuery ? '&' : '?').Append(global::System.Uri.EscapeDataString(name)).Append('=').Append(global::System.Uri.EscapeDataString(value));
        }

        public static global::System.Net.Http.HttpContent Json<T>(T value, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write, string mediaType)
        {
            var buffer = new global::System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new global::System.Text.Json.Utf8JsonWriter(buffer))
            {
                write(writer, value, global::__NS__.KsefJsonContext.Default.Options);
            }
            var content = new global::System.Net.Http.ByteArrayContent(buffer.WrittenSpan.ToArray());
            content.Headers.ContentType = new global::System.Net.Http.Headers.MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
            return content;
        }

        public static global::System.Net.Http.HttpContent Text(string value, string mediaType)
        {
            var content = new global::System.Net.Http.StringContent(value, global::System.Text.Encoding.UTF8);
            content.Headers.ContentType = new global::System.Net.Http.Headers.MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
            return content;
        }

        // The one place a request is sent: the generated methods build the request and return these tasks, so the async
        // state machines live here rather than in every operation. The request is disposed when the call is done.
        public static async global::System.Threading.Tasks.Task SendAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<T> SendJsonAsync<T>(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, KsefReadFunc<T> read, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return await ReadJsonAsync(response, read, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefTextResponse> SendTextAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return await ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefStreamResponse> SendStreamAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                // The response stays open in the returned KsefStreamResponse (ReadStreamAsync disposes it on failure).
                var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                return await ReadStreamAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task EnsureSuccessAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await global::__NS__.KsefApiException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        // The body is read into a pooled buffer (sized from Content-Length when known) and parsed from there: a page of
        // a thousand invoices is about 750 KB, and a fresh array per response would land on the large object heap.
        public static async global::System.Threading.Tasks.Task<T> ReadJsonAsync<T>(global::System.Net.Http.HttpResponseMessage response, KsefReadFunc<T> read, global::System.Threading.CancellationToken cancellationToken)
        {
            var pool = global::System.Buffers.ArrayPool<byte>.Shared;
            var length = response.Content.Headers.ContentLength;
            var buffer = pool.Rent(length is > 0 and < 0x3FFF_FFFF ? (int)length.Value + 1 : 16 * 1024);
            var count = 0;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                using (stream)
                {
                    while (true)
                    {
                        if (count == buffer.Length)
                        {
                            var larger = pool.Rent(checked(buffer.Length * 2));
                            global::System.Buffer.BlockCopy(buffer, 0, larger, 0, count);
                            pool.Return(buffer);
                            buffer = larger;
                        }
                        var got = await stream.ReadAsync(global::System.MemoryExtensions.AsMemory(buffer, count), cancellationToken).ConfigureAwait(false);
                        if (got == 0) break;
                        count += got;
                    }
                }
                return Parse(buffer, count, read);
            }
            finally
            {
                pool.Return(buffer);
            }
        }

        private static T Parse<T>(byte[] buffer, int count, KsefReadFunc<T> read)
        {
            if (count == 0) throw new global::System.Text.Json.JsonException("The response has no body, but the API documents a JSON body.");
            var reader = new global::System.Text.Json.Utf8JsonReader(new global::System.ReadOnlySpan<byte>(buffer, 0, count));
            reader.Read();
            return read(ref reader, global::__NS__.KsefJsonContext.Default.Options);
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefTextResponse> ReadTextAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new global::__NS__.KsefTextResponse(text, response.Content.Headers.ContentType?.MediaType, Headers(response));
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefStreamResponse> ReadStreamAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            try
            {
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return new global::__NS__.KsefStreamResponse(response, stream, Headers(response));
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        private static global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers(global::System.Net.Http.HttpResponseMessage response)
        {
            var headers = new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers) headers[header.Key] = string.Join(", ", header.Value);
            foreach (var header in response.Content.Headers) headers[header.Key] = string.Join(", ", header.Value);
            return headers;
        }
    }
}
""";
}
