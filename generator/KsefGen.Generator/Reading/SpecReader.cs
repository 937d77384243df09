using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using KsefGen.Generator.Model;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace KsefGen.Generator.Reading;

/// <summary>
/// OpenAPI document → <see cref="SpecModel"/>. Reads with Microsoft.OpenApi; the raw JSON is kept beside it for
/// what that reader drops (<c>nullable: true</c> on a type-less <c>allOf</c> wrapper) and for diagnostic locations.
/// Never throws: every problem becomes a <see cref="DiagnosticInfo"/>.
/// </summary>
internal sealed partial class SpecReader
{
    /// <summary>Names of the support types every spec gets; schemas may not take them.</summary>
    internal static readonly string[] SupportTypeNames =
    {
        "KsefApiException", "KsefApiError", "KsefTextResponse", "KsefStreamResponse", "KsefJsonContext", "KsefStatusDescription",
        // The namespaces beside the types: a type of the same name would clash with them (CS0101).
        "Serialization", "Internal",
    };

    private readonly SpecInput _input;
    private readonly JsonLocator _locator;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly HashSet<string> _typeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TypeRef> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _componentPointers = new(StringComparer.Ordinal);
    private readonly List<ObjectModel> _objects = new();
    private readonly List<EnumModel> _enums = new();
    private readonly Dictionary<string, StatusBuilder> _statusTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _extensionKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedRefs = new(StringComparer.Ordinal);
    private JsonNode? _raw;
    private readonly Dictionary<string, JsonNode?> _rawCache = new(StringComparer.Ordinal);
    private NamingOverrides _names = null!;

    private SpecReader(SpecInput input)
    {
        _input = input;
        _locator = new JsonLocator(input.Path, input.Text);
    }

    /// <summary>Reads one spec. Safe to call from a pipeline step: never throws except on cancellation.</summary>
    public static SpecModel Read(SpecInput input, CancellationToken cancellationToken)
    {
        var reader = new SpecReader(input);
        try
        {
            return reader.ReadCore(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            reader._diagnostics.Add(new DiagnosticInfo(
                Diagnostics.InternalError.Id,
                reader._locator.Locate(null),
                new[] { input.Path, ex.GetType().Name + ": " + ex.Message }.ToEquatableArray()));
            return reader.Empty();
        }
    }

    private SpecModel Empty() => new(
        _input.Path, HintPrefix(), _input.Namespace, _input.ClientName, null, null, null,
        EquatableArray<ClientModel>.Empty, EquatableArray<ObjectModel>.Empty, EquatableArray<EnumModel>.Empty,
        EquatableArray<StatusTableModel>.Empty, EquatableArray<JsonContextEntry>.Empty, _diagnostics.ToEquatableArray());

    private string HintPrefix()
    {
        var file = System.IO.Path.GetFileName(_input.Path);
        var name = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? file.Substring(0, file.Length - 5) : file;
        if (name.EndsWith(".openapi", StringComparison.OrdinalIgnoreCase)) name = name.Substring(0, name.Length - 8);
        return Naming.Pascal(name);
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, string? pointer, params string[] args) =>
        _diagnostics.Add(new DiagnosticInfo(descriptor.Id, _locator.Locate(pointer), args.ToEquatableArray()));

    private SpecModel ReadCore(CancellationToken cancellationToken)
    {
        // 1. Is it JSON at all? The JsonException tells exactly where it is not.
        JsonObject? root;
        try
        {
            // One parse serves both Microsoft.OpenApi (which reads from a JsonNode) and our own look-ups.
            _raw = JsonNode.Parse(_input.Text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            root = _raw as JsonObject;
            var version = root is not null && root.TryGetPropertyValue("openapi", out var v) && v is JsonValue vv && vv.TryGetValue<string>(out var text) ? text : null;
            if (version is null || !version.StartsWith("3.", StringComparison.Ordinal))
            {
                var swagger = root is not null && root.TryGetPropertyValue("swagger", out var s) ? s : null;
                Report(Diagnostics.UnsupportedVersion, swagger is not null ? "#/swagger" : "#/openapi",
                    swagger is not null ? "swagger " + swagger.ToJsonString() : version ?? "no 'openapi' version");
                return Empty();
            }
            cancellationToken.ThrowIfCancellationRequested();
            // Microsoft.OpenApi throws on some malformed values; they are reported and removed first. The walk touches
            // every object, which is where a repeated member throws (JsonObject builds its dictionary when first touched).
            RemoveMalformedValues(root!, inMap: false);
        }
        catch (ArgumentException) when (_locator.FindDuplicateKey() is { } duplicate)
        {
            // A member twice in one object: only that is reported (what the walk reported before is moot).
            _diagnostics.Clear();
            _diagnostics.Add(new DiagnosticInfo(
                Diagnostics.InvalidJson.Id,
                _locator.LocateBytes(duplicate.Offset, duplicate.Length),
                new[] { _input.Path, $"the member '{duplicate.Name}' appears twice in one object" }.ToEquatableArray()));
            return Empty();
        }
        catch (JsonException ex)
        {
            _diagnostics.Add(new DiagnosticInfo(
                Diagnostics.InvalidJson.Id,
                _locator.LocateLine(ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0),
                new[] { _input.Path, FirstSentence(ex.Message) }.ToEquatableArray()));
            return Empty();
        }

        cancellationToken.ThrowIfCancellationRequested();

        // 2. Read with Microsoft.OpenApi.
        // Validation rules are off: a spec that omits a response description still generates; only read errors count.
        var settings = new OpenApiReaderSettings { RuleSet = new Microsoft.OpenApi.ValidationRuleSet() };
        ReadResult result;
        try
        {
            result = new OpenApiJsonReader().Read(root!, new Uri("file:///" + System.IO.Path.GetFileName(_input.Path)), settings);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reader throws on shapes RemoveMalformedValues does not know yet; it does not say where.
            Report(Diagnostics.ReaderError, null, "the document could not be read (" + ex.GetType().Name + ": " + ex.Message + ")");
            return Empty();
        }
        if (result.Diagnostic is { } readerDiagnostic)
        {
            foreach (var error in readerDiagnostic.Errors)
            {
                Report(Diagnostics.ReaderError, error.Pointer, error.Message);
            }
        }
        var document = result.Document;
        if (document is null) return Empty();

        cancellationToken.ThrowIfCancellationRequested();

        // 3. Names: the naming file first, then the fixed support types.
        _names = NamingOverrides.Load(_input.NamesPath, _input.NamesText, _diagnostics);
        _selection = new SelectionMatcher(_input.Selection);
        foreach (var name in SupportTypeNames) _typeNames.Add(name);
        _typeNames.Add(_input.ClientName);

        // 4. Schemas, operations, status tables.
        ReadComponents(document, cancellationToken);
        var clients = ReadOperations(document, cancellationToken);
        var statusTables = BuildStatusTables();
        var objects = AttachExtensionAccessors();
        var enums = _enums;
        if (!_selection.IsAll) (objects, enums, statusTables) = Reachable(clients, objects, enums, statusTables);
        clients = PagingDetector.Apply(clients, objects);

        _names.ReportUnused(_diagnostics);

        var serverUrl = document.Servers is { Count: > 0 } servers ? servers[0].Url : null;
        var jsonContext = Naming.JsonContextProperties(objects.Select(o => o.Name).Concat(enums.Select(e => e.Name)).Concat(statusTables.Select(s => s.Name)));
        return new SpecModel(
            _input.Path,
            HintPrefix(),
            _input.Namespace,
            _input.ClientName,
            serverUrl,
            document.Info?.Title,
            document.Info?.Version,
            clients.ToEquatableArray(),
            objects.OrderBy(o => o.Name, StringComparer.Ordinal).ToEquatableArray(),
            enums.OrderBy(e => e.Name, StringComparer.Ordinal).ToEquatableArray(),
            statusTables.ToEquatableArray(),
            jsonContext,
            _diagnostics.ToEquatableArray());
    }

    /// <summary>Touches every object below, so that JsonObject's lazy initialization (which throws on a repeated member) happens here.</summary>
    private static void Materialize(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var pair in obj) Materialize(pair.Value);
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array) Materialize(item);
        }
    }

    private static string FirstSentence(string message)
    {
        var index = message.IndexOf(" Path:", StringComparison.Ordinal);
        return index > 0 ? message.Substring(0, index) : message;
    }

    // ------------------------------------------------------------------ raw JSON helpers

    /// <summary>The raw JSON at a pointer, or null. Memoized per parent, so each look-up is one step from a cached parent.</summary>
    private JsonNode? RawAt(string pointer)
    {
        if (_raw is null) return null;
        if (_rawCache.TryGetValue(pointer, out var cached)) return cached;
        var slash = pointer.LastIndexOf('/');
        JsonNode? result;
        if (slash <= 1)
        {
            result = slash < 0 ? _raw : Step(_raw, pointer.Substring(slash + 1));
        }
        else
        {
            var parent = RawAt(pointer.Substring(0, slash));
            result = parent is null ? null : Step(parent, pointer.Substring(slash + 1));
        }
        _rawCache[pointer] = result;
        return result;
    }

    private static JsonNode? Step(JsonNode node, string escapedSegment)
    {
        var segment = Uri.UnescapeDataString(escapedSegment).Replace("~1", "/").Replace("~0", "~");
        if (node is JsonObject obj) return obj.TryGetPropertyValue(segment, out var next) ? next : null;
        if (node is JsonArray array && int.TryParse(segment, out var index) && index >= 0 && index < array.Count) return array[index];
        return null;
    }
}
