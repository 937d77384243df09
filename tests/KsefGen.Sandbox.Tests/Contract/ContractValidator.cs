using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using NSwag;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>One broken rule: where (a JSON path such as <c>$.invoices[2].status.code</c>, <c>header x-ms-meta-hash</c>, <c>response</c>) and what.</summary>
public sealed record ContractViolation(string Path, string Kind, string? Detail = null)
{
    /// <summary>"path: Kind (detail)".</summary>
    public override string ToString() => Detail is null ? $"{Path}: {Kind}" : $"{Path}: {Kind} ({Detail})";
}

/// <summary>The verdict on one response: which operation and declared response it was held against, and what failed.</summary>
public sealed record ContractResult(SpecOperation? Operation, string? ResponseKey, IReadOnlyList<ContractViolation> Violations)
{
    /// <summary>No violation.</summary>
    public bool IsValid => Violations.Count == 0;
}

/// <summary>An operation of the spec: its method and its path template exactly as the spec writes them.</summary>
public sealed partial class SpecOperation
{
    private readonly Segment[] _segments;

    internal SpecOperation(string method, string template, OpenApiOperation operation)
    {
        Method = method.ToUpperInvariant();
        Template = template;
        Operation = operation;
        _segments = Split(template).Select(Segment.Parse).ToArray();
    }

    /// <summary>GET, POST, ...</summary>
    public string Method { get; }

    /// <summary>The path template relative to the server URL, e.g. /sessions/{referenceNumber}.</summary>
    public string Template { get; }

    /// <summary>The spec's operation object.</summary>
    public OpenApiOperation Operation { get; }

    /// <summary>"GET /sessions/{referenceNumber}": operations of this spec have no operationId, so this names them.</summary>
    public string Key => Method + " " + Template;

    /// <inheritdoc />
    public override string ToString() => Key;

    /// <summary>
    /// How specifically this template matches the (unescaped) path segments, segment by segment (2 literal, 1 mixed
    /// literal and parameter, 0 parameter), or null when it does not match.
    /// </summary>
    internal int[]? Match(IReadOnlyList<string> segments, bool segmentsAreTemplate = false)
    {
        if (segments.Count != _segments.Length) return null;
        var ranks = new int[segments.Count];
        for (var i = 0; i < segments.Count; i++)
        {
            var ok = segmentsAreTemplate ? _segments[i].MatchesTemplate(segments[i]) : _segments[i].Matches(segments[i]);
            if (!ok) return null;
            ranks[i] = _segments[i].Rank;
        }
        return ranks;
    }

    internal static string[] Split(string path)
    {
        var trimmed = path.Trim('/');
        return trimmed.Length == 0 ? [] : trimmed.Split('/');
    }

    private sealed partial class Segment
    {
        private string? _literal;
        private Regex? _pattern;

        public int Rank { get; private init; }

        public static Segment Parse(string text)
        {
            if (!text.Contains('{', StringComparison.Ordinal)) return new Segment { _literal = text, Rank = 2 };
            var literals = Parameter().Split(text);
            return new Segment
            {
                _pattern = new Regex("^" + string.Join("[^/]+", literals.Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant),
                Rank = literals.All(l => l.Length == 0) ? 0 : 1,
            };
        }

        public bool Matches(string segment) =>
            segment.Length > 0 && (_literal is not null ? string.Equals(_literal, segment, StringComparison.Ordinal) : _pattern!.IsMatch(segment));

        /// <summary>Template against template: literals equal, parameters against parameters whatever their names.</summary>
        public bool MatchesTemplate(string segment)
        {
            var isParameter = segment.StartsWith('{') && segment.EndsWith('}');
            return _literal is not null ? !isParameter && string.Equals(_literal, segment, StringComparison.Ordinal) : Rank == 0 && isParameter;
        }

        [GeneratedRegex(@"\{[^}]*\}")]
        private static partial Regex Parameter();
    }
}

/// <summary>
/// Holds HTTP responses against the official KSeF OpenAPI document: finds the operation by method and path (literal
/// segments beat parameters), picks the response declared for the status code (or 'default'), checks the content
/// type is declared for it, validates declared headers that are present, and validates JSON bodies with NJsonSchema
/// (OpenAPI 3.0 rules, strict date-time/byte/int32/int64) and XML bodies for well-formedness.
/// </summary>
public sealed partial class ContractValidator
{
    private readonly OpenApi3SchemaValidator _schemas;

    private ContractValidator(string source, OpenApiDocument document, bool reportUndeclaredProperties)
    {
        Source = source;
        Document = document;
        Operations = document.Operations.Select(o => new SpecOperation(o.Method, o.Path, o.Operation)).ToList();
        var server = document.Servers.FirstOrDefault()?.Url;
        BasePath = server is not null && Uri.TryCreate(server, UriKind.Absolute, out var url) ? url.AbsolutePath.TrimEnd('/') : "";
        _schemas = new OpenApi3SchemaValidator(OpenApi3SchemaValidator.StrictSettings(), reportUndeclaredProperties, ComposedMembers(document));
    }

    /// <summary>The file the document came from.</summary>
    public string Source { get; }

    /// <summary>The parsed document.</summary>
    public OpenApiDocument Document { get; }

    /// <summary>Every operation of the spec.</summary>
    public IReadOnlyList<SpecOperation> Operations { get; }

    /// <summary>The path of the first server URL (KSeF: /v2); request paths are relative to it.</summary>
    public string BasePath { get; }

    /// <summary>
    /// Loads a spec. <paramref name="reportUndeclaredProperties"/>: also report JSON properties the schema does not
    /// declare (valid OpenAPI, but a server meant to mirror the official wire format should not send them).
    /// </summary>
    public static async Task<ContractValidator> LoadAsync(string path, bool reportUndeclaredProperties, CancellationToken cancellationToken)
    {
        var document = await OpenApiDocument.FromFileAsync(path, cancellationToken);
        return new ContractValidator(path, document, reportUndeclaredProperties);
    }

    /// <summary>The request path relative to <see cref="BasePath"/>, or null when the URI is outside the API.</summary>
    public string? RelativePath(Uri requestUri)
    {
        var path = requestUri.AbsolutePath;
        if (BasePath.Length == 0) return path;
        if (path.Length == BasePath.Length && path.Equals(BasePath, StringComparison.Ordinal)) return "/";
        return path.StartsWith(BasePath + "/", StringComparison.Ordinal) ? path[BasePath.Length..] : null;
    }

    /// <summary>The operation a request path (relative to the base, escaped as sent, query allowed) belongs to.</summary>
    public SpecOperation? FindOperation(string method, string path)
    {
        var question = path.IndexOf('?', StringComparison.Ordinal);
        var segments = SpecOperation.Split(question < 0 ? path : path[..question]).Select(Uri.UnescapeDataString).ToList();
        return Best(method, o => o.Match(segments));
    }

    /// <summary>The operation a route template (e.g. the server's own /sessions/{id}) corresponds to, whatever its parameter names.</summary>
    public SpecOperation? FindOperationByTemplate(string method, string template)
    {
        var segments = SpecOperation.Split(template);
        return Best(method, o => o.Match(segments, segmentsAreTemplate: true));
    }

    private SpecOperation? Best(string method, Func<SpecOperation, int[]?> match)
    {
        SpecOperation? best = null;
        int[]? bestRanks = null;
        foreach (var operation in Operations.Where(o => string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase)))
        {
            if (match(operation) is not { } ranks) continue;
            if (bestRanks is null || ranks.AsSpan().SequenceCompareTo(bestRanks) > 0)
            {
                best = operation;
                bestRanks = ranks;
            }
        }
        return best;
    }

    /// <summary>Validates a recorded exchange; null when its URI is outside the API base path (not part of the contract).</summary>
    public ContractResult? Validate(RecordedExchange exchange) =>
        RelativePath(exchange.RequestUri) is { } path
            ? Validate(exchange.Method.Method, path + exchange.RequestUri.Query, exchange.StatusCode, exchange.ContentType, exchange.Body, exchange.Headers)
            : null;

    /// <summary>Validates one response to a request path relative to the base (escaped as sent).</summary>
    public ContractResult Validate(string method, string path, int statusCode, string? contentType, ReadOnlySpan<byte> body,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var violations = new List<ContractViolation>();
        var operation = FindOperation(method, path);
        if (operation is null) return new ContractResult(null, null, [new("request", "NoSuchOperation", $"{method} {path} is not an operation of the spec")]);
        if (statusCode >= 500) return new ContractResult(operation, null, [new("response", "ServerError", $"status {statusCode}")]);

        var (key, declared) = DeclaredResponse(operation, statusCode);
        if (declared is null)
        {
            return new ContractResult(operation, null,
                [new("response", "UndeclaredStatus", $"{statusCode} is not among {string.Join(", ", operation.Operation.ActualResponses.Keys)}")]);
        }
        var response = declared.ActualResponse;

        if (headers is not null) ValidateHeaders(response, headers, violations);

        if (response.Content.Count == 0)
        {
            if (body.Length > 0) violations.Add(new("response", "UnexpectedBody", $"{body.Length} bytes where the spec declares no content"));
            return new ContractResult(operation, key, violations);
        }
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is null)
        {
            violations.Add(new("response", "MissingContentType", $"expected one of {string.Join(", ", response.Content.Keys)}"));
            return new ContractResult(operation, key, violations);
        }
        var mediaType = parsed.MediaType;
        var media = response.Content.FirstOrDefault(c => MediaTypeMatches(c.Key, mediaType));
        if (media.Value is null)
        {
            violations.Add(new("response", "UndeclaredContentType", $"{mediaType} is not among {string.Join(", ", response.Content.Keys)}"));
            return new ContractResult(operation, key, violations);
        }

        if (IsJson(mediaType)) ValidateJson(media.Value.Schema, body, violations);
        else if (IsXml(mediaType)) ValidateXml(body, violations);
        return new ContractResult(operation, key, violations);
    }

    /// <summary>Validates a JSON text against a schema with this validator's rules (for self-tests and ad-hoc checks).</summary>
    public IReadOnlyList<ContractViolation> ValidateJson(JsonSchema schema, string json)
    {
        var violations = new List<ContractViolation>();
        ValidateJson(schema, Encoding.UTF8.GetBytes(json), violations);
        return violations;
    }

    /// <summary>The schema of a declared JSON response, e.g. ("GET /sessions", "200", "application/json").</summary>
    public JsonSchema ResponseSchema(string operationKey, string responseKey, string mediaType) =>
        Operations.Single(o => o.Key == operationKey).Operation.ActualResponses[responseKey].ActualResponse.Content[mediaType].Schema!.ActualSchema;

    /// <summary>
    /// The error codes the spec documents for a response of an operation: the first column of the Markdown table in
    /// the response's description (| ExceptionCode | ExceptionDescription | Details |). Empty when there is no table.
    /// </summary>
    public static IReadOnlySet<int> DocumentedErrorCodes(SpecOperation operation, string responseKey) =>
        operation.Operation.ActualResponses.TryGetValue(responseKey, out var response) && response.ActualResponse.Description is { } description
            ? TableCode().Matches(description).Select(m => int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet()
            : new HashSet<int>();

    [GeneratedRegex(@"^\s*\|\s*(\d+)\s*\|", RegexOptions.Multiline)]
    private static partial Regex TableCode();

    private static (string? Key, OpenApiResponse? Response) DeclaredResponse(SpecOperation operation, int statusCode)
    {
        var responses = operation.Operation.ActualResponses;
        var exact = statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (responses.TryGetValue(exact, out var response)) return (exact, response);
        var range = exact[0] + "XX";
        var ranged = responses.FirstOrDefault(r => string.Equals(r.Key, range, StringComparison.OrdinalIgnoreCase));
        if (ranged.Value is not null) return (ranged.Key, ranged.Value);
        return responses.TryGetValue("default", out response) ? ("default", response) : (null, null);
    }

    private void ValidateHeaders(OpenApiResponse response, IReadOnlyDictionary<string, string> headers, List<ContractViolation> violations)
    {
        foreach (var (name, header) in response.Headers)
        {
            var path = "header " + name;
            if (!headers.TryGetValue(name, out var value))
            {
                if (header.IsRequired) violations.Add(new(path, "MissingHeader"));
                continue;
            }
            if ((header.Schema ?? header).ActualSchema is not { } schema) continue;
            JToken token;
            if (schema.Type.HasFlag(JsonObjectType.Integer) || schema.Type.HasFlag(JsonObjectType.Number))
            {
                try
                {
                    token = JToken.Parse(value);
                }
                catch (JsonReaderException)
                {
                    violations.Add(new(path, "NumberExpected", value));
                    continue;
                }
            }
            else
            {
                token = new JValue(value);
            }
            violations.AddRange(_schemas.Validate(token, schema, SchemaType.OpenApi3).SelectMany(Flatten)
                .Select(v => v with { Path = path + (v.Path == "$" ? "" : v.Path[1..]) }));
        }
    }

    private void ValidateJson(JsonSchema? schema, ReadOnlySpan<byte> body, List<ContractViolation> violations)
    {
        JToken token;
        try
        {
            using var reader = new JsonTextReader(new StringReader(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body)))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            token = JToken.ReadFrom(reader);
            if (reader.Read()) throw new JsonReaderException($"Content after the JSON value at line {reader.LineNumber}.");
        }
        catch (Exception e) when (e is JsonReaderException or DecoderFallbackException)
        {
            violations.Add(new("$", "InvalidJson", e.Message));
            return;
        }
        if (schema is null) return;
        violations.AddRange(_schemas.Validate(token, schema.ActualSchema, SchemaType.OpenApi3).SelectMany(Flatten).Distinct());
    }

    private static void ValidateXml(ReadOnlySpan<byte> body, List<ContractViolation> violations)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body.ToArray()), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
            }
        }
        catch (XmlException e)
        {
            violations.Add(new("response", "InvalidXml", e.Message));
        }
    }

    /// <summary>Leaf errors with JSON paths; allOf wrappers dissolve into what failed inside them.</summary>
    private static IEnumerable<ContractViolation> Flatten(ValidationError error)
    {
        switch (error)
        {
            case ContractSchemaError own:
                yield return new(JsonPath(own.Path), own.ContractKind, own.Detail);
                break;
            case ChildSchemaValidationError child:
                if (child.Kind is ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotOneOf) yield return new(JsonPath(child.Path), child.Kind.ToString());
                foreach (var nested in child.Errors.Values.SelectMany(e => e).SelectMany(Flatten)) yield return nested;
                break;
            default:
                var detail = error.Kind is ValidationErrorKind.PropertyRequired || error.Token is null ? null : Shorten(error.Token.ToString(Newtonsoft.Json.Formatting.None));
                yield return new(JsonPath(error.Path), error.Kind.ToString(), detail);
                break;
        }
    }

    private static string JsonPath(string? path)
    {
        var inner = path is null ? "" : path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        return inner.Length == 0 ? "$" : inner.StartsWith('[') ? "$" + inner : "$." + inner;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static bool MediaTypeMatches(string declared, string actual)
    {
        if (string.Equals(declared, actual, StringComparison.OrdinalIgnoreCase) || declared == "*/*") return true;
        return declared.EndsWith("/*", StringComparison.Ordinal)
            && actual.StartsWith(declared[..^1], StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static bool IsXml(string mediaType) =>
        mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Schemas that share an object's properties with others (members of a multi-schema or property-carrying composition).</summary>
    private static HashSet<JsonSchema> ComposedMembers(OpenApiDocument document)
    {
        var members = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<JsonSchema>(document.Components.Schemas.Values);
        foreach (var operation in document.Operations)
        {
            foreach (var response in operation.Operation.ActualResponses.Values)
            {
                foreach (var media in response.ActualResponse.Content.Values)
                {
                    if (media.Schema is not null) pending.Push(media.Schema);
                }
            }
        }
        while (pending.TryPop(out var schema))
        {
            if (!seen.Add(schema)) continue;
            foreach (var composition in new[] { schema.AllOf, schema.AnyOf, schema.OneOf })
            {
                if (composition.Count > 1 || (composition.Count == 1 && schema.Properties.Count > 0))
                {
                    foreach (var member in composition) AddWithBases(member.ActualSchema);
                }
            }
            foreach (var child in Children(schema)) pending.Push(child);
        }
        return members;

        void AddWithBases(JsonSchema member)
        {
            if (!members.Add(member)) return;
            foreach (var inner in member.AllOf) AddWithBases(inner.ActualSchema);
        }
    }

    private static IEnumerable<JsonSchema> Children(JsonSchema schema)
    {
        if (!ReferenceEquals(schema.ActualSchema, schema)) yield return schema.ActualSchema;
        foreach (var p in schema.Properties.Values) yield return p;
        foreach (var p in schema.PatternProperties.Values) yield return p;
        foreach (var s in schema.AllOf.Concat(schema.AnyOf).Concat(schema.OneOf).Concat(schema.Items)) yield return s;
        if (schema.Item is not null) yield return schema.Item;
        if (schema.Not is not null) yield return schema.Not;
        if (schema.AdditionalPropertiesSchema is not null) yield return schema.AdditionalPropertiesSchema;
        if (schema.AdditionalItemsSchema is not null) yield return schema.AdditionalItemsSchema;
    }
}
