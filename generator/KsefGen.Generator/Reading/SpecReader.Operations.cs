using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using KsefGen.Generator.Model;
using Microsoft.OpenApi;
using ParameterLocation = KsefGen.Generator.Model.ParameterLocation;

namespace KsefGen.Generator.Reading;

internal sealed partial class SpecReader
{
    private sealed class ClientBuilder
    {
        public ClientBuilder(string name, string? tag)
        {
            Name = name;
            Tag = tag;
        }

        public string Name { get; }
        public string? Tag { get; }
        public List<OperationModel> Operations { get; } = new();
        public HashSet<string> MethodNames { get; } = new(StringComparer.Ordinal);
    }

    private List<ClientModel> ReadOperations(OpenApiDocument document, CancellationToken cancellationToken)
    {
        var clients = new Dictionary<string, ClientBuilder>(StringComparer.Ordinal);
        if (document.Paths is null) return new List<ClientModel>();

        // Every operation first: an operation KsefGen does not know follows the known operations of its tag, so a
        // reworded tag does not move them to a new client.
        var found = new List<(string Path, IOpenApiPathItem Item, OpenApiOperation Operation, string Method, string Key, string? Tag, string Pointer)>();
        foreach (var pathPair in document.Paths)
        {
            if (pathPair.Value.Operations is null) continue;
            foreach (var operationPair in pathPair.Value.Operations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var method = operationPair.Key.Method.ToUpperInvariant();
                var key = method + " " + OperationNaming.NormalizePath(pathPair.Key);
                var tag = operationPair.Value.Tags?.Select(t => t.Name).FirstOrDefault(n => !string.IsNullOrEmpty(n));
                found.Add((pathPair.Key, pathPair.Value, operationPair.Value, method, key, tag,
                    "#/paths/" + JsonLocator.Escape(pathPair.Key) + "/" + method.ToLowerInvariant()));
            }
        }
        var clientOfTag = found
            .Where(f => f.Tag is not null && KnownNames.Operations.ContainsKey(f.Key))
            .GroupBy(f => f.Tag!, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.GroupBy(f => KnownNames.Operations[f.Key].Client, StringComparer.Ordinal)
                    .OrderByDescending(c => c.Count()).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key,
                StringComparer.Ordinal);

        // Known operations first, then the others by key: the spec's order never decides who gets a numbered name.
        var ordered = found
            .OrderBy(f => KnownNames.Operations.ContainsKey(f.Key) ? 0 : 1)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal);
        foreach (var (path, item, operation, method, key, tag, pointer) in ordered)
        {
            var known = KnownNames.Operations.TryGetValue(key, out var knownOperation);
            // The client: the naming file's name for the tag, else the built-in client of the operation, of the tag
            // (matched ignoring case, diacritics and punctuation) or of the tag's known operations, else the tag itself.
            var clientBase = (tag is null ? null : _names.Tag(tag))
                ?? (known ? knownOperation.Client : null)
                ?? (tag is null ? null : KnownNames.Tag(tag))
                ?? (tag is not null && clientOfTag.TryGetValue(tag, out var tagClient) ? tagClient : null)
                ?? (tag is null ? "Default" : Naming.TypeName(tag));
            var wantedName = clientBase.EndsWith("Client", StringComparison.Ordinal) ? clientBase : clientBase + "Client";
            if (!clients.TryGetValue(wantedName, out var client))
            {
                // Keyed by the wanted name; the type gets a numbered name only if a schema already took it.
                client = new ClientBuilder(UniqueTypeName(wantedName, "client", pointer + "/tags"), tag);
                clients[wantedName] = client;
            }

            // The method: the naming file's, else the built-in English name, else one derived from method and path.
            // Never the operationId: the official spec has none today, and one appearing must not rename anything.
            var baseName = _names.Operation(key)
                ?? (known ? knownOperation.Method : null)
                ?? OperationNaming.Derive(method, path);
            var name = UniqueMethodName(baseName, client.MethodNames);
            if (name != baseName) Report(Diagnostics.NameCollision, pointer, "operation", baseName, name);

            // Named whether or not it is generated, so a subset never renames what it keeps.
            if (!_selection.Includes(key, tag, client.Name, name)) continue;
            client.Operations.Add(ReadOperation(item, operation, method, path, key, name, pointer));
        }
        _selection.ReportUnmatched(this);

        // Properties of the root client: not its own name nor its other members.
        var taken = new HashSet<string>(Naming.ObjectMembers, StringComparer.Ordinal) { _input.ClientName, "HttpClient", "DefaultServerUrl" };
        return clients.Values
            .Where(c => c.Operations.Count > 0)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => new ClientModel(
                c.Name,
                Naming.Unique(c.Name.Substring(0, c.Name.Length - "Client".Length) is { Length: > 0 } p ? p : c.Name, taken),
                c.Tag,
                c.Operations.OrderBy(o => o.Name, StringComparer.Ordinal).ToEquatableArray()))
            .ToList();
    }

    /// <summary>
    /// An operation's name whose methods collide with no other operation's in the client: {Name}Async,
    /// {Name}StreamAsync (text responses), {Name}PagesAsync and Enumerate{Name without Get}Async (paged lists) are all
    /// taken at once, whichever of them the operation ends up with.
    /// </summary>
    private static string UniqueMethodName(string baseName, HashSet<string> taken)
    {
        for (var i = 1; ; i++)
        {
            var candidate = i == 1 ? baseName : baseName + i.ToString(CultureInfo.InvariantCulture);
            var items = candidate.StartsWith("Get", StringComparison.Ordinal) && candidate.Length > 3 ? candidate.Substring(3) : candidate;
            var names = new[] { candidate, candidate + "Stream", candidate + "Pages", "Enumerate" + items };
            if (names.Any(taken.Contains)) continue;
            taken.UnionWith(names);
            return candidate;
        }
    }

    private OperationModel ReadOperation(IOpenApiPathItem item, OpenApiOperation operation, string method, string path, string key, string name, string pointer)
    {
        var parameters = new List<ParameterModel>();
        // The generated method's own locals are taken too: a parameter named 'url' or 'item' would clash with them (CS0136).
        var taken = new HashSet<string>(StringComparer.Ordinal) { "cancellationToken", "body", "url", "request", "response", "item", "page", "cursor", "seen", "next" };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        // Operation parameters win over path-item parameters of the same name and place.
        var all = new List<(IOpenApiParameter Parameter, string Pointer)>();
        if (operation.Parameters is { } operationParameters)
        {
            for (var i = 0; i < operationParameters.Count; i++) all.Add((operationParameters[i], pointer + "/parameters/" + i.ToString(CultureInfo.InvariantCulture)));
        }
        if (item.Parameters is { } pathParameters)
        {
            var pathPointer = pointer.Substring(0, pointer.LastIndexOf('/'));
            for (var i = 0; i < pathParameters.Count; i++) all.Add((pathParameters[i], pathPointer + "/parameters/" + i.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var (parameter, parameterPointer) in all)
        {
            if (parameter.Name is null || parameter.In is null) continue;
            if (!seen.Add(parameter.In + ":" + parameter.Name)) continue;
            ParameterLocation location;
            switch (parameter.In.Value)
            {
                case Microsoft.OpenApi.ParameterLocation.Path: location = ParameterLocation.Path; break;
                case Microsoft.OpenApi.ParameterLocation.Query: location = ParameterLocation.Query; break;
                case Microsoft.OpenApi.ParameterLocation.Header: location = ParameterLocation.Header; break;
                default:
                    Report(Diagnostics.UnsupportedConstruct, parameterPointer, "parameter in " + parameter.In.Value, name);
                    continue;
            }
            var schemaPointer = parameterPointer + "/schema";
            var type = ResolveType(parameter.Schema, schemaPointer, name + Naming.Pascal(parameter.Name), out _);
            if (type.Kind == TypeKind.Enum && parameter.Schema is not OpenApiSchemaReference && (parameter.Schema?.AllOf is not { Count: > 0 }))
            {
                // An inline enum on a parameter (the X-Error-Format header of some 2026 specs) is just a string.
                type = TypeRef.String;
            }
            if (!IsTextual(type) && !(type.Kind == TypeKind.Array && IsTextual(type.Element!)))
            {
                // An object, a map or nested arrays has no one way to be written into a URL or header: the caller gives JSON.
                Report(Diagnostics.UnsupportedConstruct, schemaPointer, "a " + location.ToString().ToLowerInvariant() + " parameter of type " + type.Kind, name + "." + parameter.Name);
                type = TypeRef.Any;
            }
            else if (type.Kind == TypeKind.Array && type.ElementNullable)
            {
                // A null item has no text form in a query: items are not nullable.
                type = type with { ElementNullable = false };
            }
            var wireName = parameter.Name;
            var baseName = location == ParameterLocation.Header && wireName.StartsWith("x-", StringComparison.OrdinalIgnoreCase)
                ? wireName.Substring(2)
                : wireName;
            var csName = Naming.Unique(Naming.Camel(baseName), taken);
            parameters.Add(new ParameterModel(
                wireName,
                csName,
                location,
                type,
                parameter.Required || location == ParameterLocation.Path,
                parameter.Description));
        }

        // One order for every operation: path parameters in path order, (the body,) query, headers, the continuation
        // token, (the cancellation token); required ones of each kind before the optional ones, as C# needs. OrderBy is
        // stable, so the spec's order decides within a kind.
        var ordered = parameters
            .Where(p => p.Location == ParameterLocation.Path)
            .OrderBy(p => path.IndexOf("{" + p.WireName + "}", StringComparison.Ordinal))
            .Concat(parameters.Where(p => p.Location != ParameterLocation.Path && p.Required).OrderBy(Rank))
            .Concat(parameters.Where(p => p.Location != ParameterLocation.Path && !p.Required).OrderBy(Rank))
            .ToList();

        static int Rank(ParameterModel p) =>
            p.Location == ParameterLocation.Query ? 0
            : string.Equals(p.WireName, "x-continuation-token", StringComparison.OrdinalIgnoreCase) ? 2
            : 1;

        return new OperationModel(
            method,
            path.TrimStart('/'),
            key,
            name,
            operation.Summary,
            operation.Description,
            ordered.ToEquatableArray(),
            ReadBody(operation, name, pointer),
            ReadResponse(operation, name, pointer),
            operation.Deprecated,
            operation.Security is { Count: > 0 },
            RateLimits(pointer),
            Permissions(pointer));
    }

    /// <summary>Types a path, query or header value can be written as (TypeSyntax.Format).</summary>
    private static bool IsTextual(TypeRef type) => type.Kind is not (TypeKind.Model or TypeKind.Map or TypeKind.Array);

    private RequestBodyModel? ReadBody(OpenApiOperation operation, string name, string pointer)
    {
        var content = operation.RequestBody?.Content;
        if (content is null || content.Count == 0) return null;
        var bodyPointer = pointer + "/requestBody/content/";
        foreach (var pair in content)
        {
            if (IsJson(pair.Key))
            {
                var type = ResolveType(pair.Value.Schema, bodyPointer + JsonLocator.Escape(pair.Key) + "/schema", name + "Request", out _);
                return new RequestBodyModel(BodyKind.Json, pair.Key, type, operation.RequestBody?.Description);
            }
        }
        var first = content.First();
        return new RequestBodyModel(BodyKind.Text, first.Key, TypeRef.String, operation.RequestBody?.Description);
    }

    private ResponseModel ReadResponse(OpenApiOperation operation, string name, string pointer)
    {
        var codes = new List<int>();
        ResponseModel? chosen = null;
        if (operation.Responses is not null)
        {
            foreach (var pair in operation.Responses.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!int.TryParse(pair.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 200 || code > 299) continue;
                codes.Add(code);
                var response = pair.Value;
                var headers = response.Headers?.Keys.OrderBy(h => h, StringComparer.OrdinalIgnoreCase).ToEquatableArray() ?? EquatableArray<string>.Empty;
                if (chosen is not null || response.Content is not { Count: > 0 } content) continue;
                var contentPointer = pointer + "/responses/" + pair.Key + "/content/";
                var json = content.FirstOrDefault(c => IsJson(c.Key));
                if (json.Key is not null)
                {
                    var type = ResolveType(json.Value.Schema, contentPointer + JsonLocator.Escape(json.Key) + "/schema", name + "Response", out _);
                    chosen = new ResponseModel(ResponseKind.Json, json.Key, type, default, headers);
                }
                else
                {
                    var first = content.First();
                    chosen = new ResponseModel(ResponseKind.Text, first.Key, TypeRef.String, default, headers);
                }
            }
        }
        chosen ??= new ResponseModel(ResponseKind.None, null, null, default, EquatableArray<string>.Empty);
        return chosen with { SuccessCodes = codes.ToEquatableArray() };
    }

    private static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    /// <summary>"10/s, 30/min, 120/h" from the operation's <c>x-rate-limits</c>.</summary>
    private string? RateLimits(string pointer)
    {
        if (RawAt(pointer + "/x-rate-limits") is not JsonObject limits) return null;
        var parts = new List<string>();
        foreach (var (field, unit) in new[] { ("perSecond", "s"), ("perMinute", "min"), ("perHour", "h") })
        {
            if (limits.TryGetPropertyValue(field, out var value) && value is JsonValue number && number.TryGetValue<int>(out var limit))
            {
                parts.Add(limit.ToString(CultureInfo.InvariantCulture) + "/" + unit);
            }
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private EquatableArray<string> Permissions(string pointer)
    {
        if (RawAt(pointer + "/x-required-permissions") is not JsonArray permissions) return EquatableArray<string>.Empty;
        var result = new List<string>();
        foreach (var value in permissions)
        {
            if (value is JsonValue text && text.TryGetValue<string>(out var permission)) result.Add(permission);
        }
        return result.ToEquatableArray();
    }
}
