using System;
using System.Collections.Generic;
using System.Text.Json;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

/// <summary>
/// The optional naming file beside a spec (<c>{spec}.names.json</c> or <c>ksefgen.names.json</c>):
/// <code>
/// { "operations": { "GET /sessions/{referenceNumber}": "GetSession" },
///   "schemas": { "SessionStatusResponse": "SessionStatus" },
///   "tags": { "Status wysyłki i UPO": "Status" },
///   "statusCodes": { "SessionStatusResponse.status": "SessionState" } }
/// </code>
/// </summary>
internal sealed class NamingOverrides
{
    private readonly Dictionary<string, Entry> _operations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _tags = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Entry> _statusCodes = new(StringComparer.Ordinal);
    private readonly string? _path;
    private readonly string? _text;

    private NamingOverrides(string? path, string? text)
    {
        _path = path;
        _text = text;
    }

    private sealed class Entry
    {
        public Entry(string name, string pointer)
        {
            Name = name;
            Pointer = pointer;
        }

        public string Name { get; }
        public string Pointer { get; }
        public bool Used { get; set; }
    }

    public static NamingOverrides Load(string? path, string? text, List<DiagnosticInfo> diagnostics)
    {
        var result = new NamingOverrides(path, text);
        if (path is null || text is null) return result;
        var locator = new JsonLocator(path, text);
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                diagnostics.Add(Invalid(path, locator.Locate(null), "the root must be a JSON object"));
                return result;
            }
            foreach (var section in doc.RootElement.EnumerateObject())
            {
                var target = section.Name switch
                {
                    "operations" => result._operations,
                    "schemas" => result._schemas,
                    "tags" => result._tags,
                    "statusCodes" => result._statusCodes,
                    _ => null,
                };
                var sectionPointer = "#/" + JsonLocator.Escape(section.Name);
                if (target is null || section.Value.ValueKind != JsonValueKind.Object)
                {
                    diagnostics.Add(Invalid(path, locator.Locate(sectionPointer),
                        $"'{section.Name}' is not a known section (operations, schemas, tags, statusCodes) holding an object"));
                    continue;
                }
                foreach (var entry in section.Value.EnumerateObject())
                {
                    var pointer = sectionPointer + "/" + JsonLocator.Escape(entry.Name);
                    var name = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                    if (name is null || Naming.Pascal(name) != name.TrimStart('@'))
                    {
                        diagnostics.Add(Invalid(path, locator.Locate(pointer), $"the name given for '{entry.Name}' is not a C# identifier"));
                        continue;
                    }
                    var key = section.Name == "operations" ? NormalizeOperationKey(entry.Name) : entry.Name;
                    target[key] = new Entry(name, pointer);
                }
            }
        }
        catch (JsonException ex)
        {
            diagnostics.Add(Invalid(path, locator.LocateLine(ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0), ex.Message));
        }
        return result;
    }

    private static DiagnosticInfo Invalid(string path, SourceSpan span, string message) =>
        new(Diagnostics.InvalidNamingFile.Id, span, new[] { path, message }.ToEquatableArray());

    /// <summary>"get /api/v2/sessions/{referenceNumber}" → "GET /sessions/{}".</summary>
    public static string NormalizeOperationKey(string key)
    {
        var space = key.IndexOf(' ');
        if (space < 0) return key;
        return key.Substring(0, space).ToUpperInvariant() + " " + OperationNaming.NormalizePath(key.Substring(space + 1).Trim());
    }

    public string? Operation(string key) => Take(_operations, key);

    public string? Schema(string name) => Take(_schemas, name);

    public string? Tag(string tag) => Take(_tags, tag);

    public string? StatusCode(string source) => Take(_statusCodes, source);

    private static string? Take(Dictionary<string, Entry> map, string key)
    {
        if (!map.TryGetValue(key, out var entry)) return null;
        entry.Used = true;
        return entry.Name;
    }

    /// <summary>Reports overrides that matched nothing (a typo would otherwise go unnoticed).</summary>
    public void ReportUnused(List<DiagnosticInfo> diagnostics)
    {
        if (_path is null || _text is null) return;
        var locator = new JsonLocator(_path, _text);
        void Report(Dictionary<string, Entry> map, string kind)
        {
            foreach (var pair in map)
            {
                if (!pair.Value.Used)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.UnusedNameOverride.Id, locator.Locate(pair.Value.Pointer), new[] { pair.Key, kind }.ToEquatableArray()));
                }
            }
        }
        Report(_operations, "operation");
        Report(_schemas, "schema");
        Report(_tags, "tag");
        Report(_statusCodes, "status table");
    }
}
