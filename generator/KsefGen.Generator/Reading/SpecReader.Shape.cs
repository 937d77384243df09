using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KsefGen.Generator.Reading;

internal sealed partial class SpecReader
{
    /// <summary>Fields Microsoft.OpenApi reads with bool.Parse: any other value makes it throw (FormatException).</summary>
    private static readonly HashSet<string> BooleanFields = new(StringComparer.Ordinal)
    {
        "nullable", "readOnly", "writeOnly", "deprecated", "required", "uniqueItems", "exclusiveMaximum", "exclusiveMinimum",
        "additionalProperties", "allowEmptyValue", "explode", "allowReserved",
    };

    /// <summary>Fields it reads as numbers.</summary>
    private static readonly HashSet<string> NumberFields = new(StringComparer.Ordinal)
    {
        "maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties", "maximum", "minimum", "multipleOf",
    };

    /// <summary>Members whose value is a map from names (or codes) to objects: its keys are names, not fields.</summary>
    private static readonly HashSet<string> MapFields = new(StringComparer.Ordinal)
    {
        "paths", "properties", "schemas", "responses", "content", "headers", "parameters", "requestBodies", "securitySchemes", "links",
        "callbacks", "encoding", "patternProperties", "definitions", "$defs", "variables", "pathItems", "dependentSchemas",
    };

    /// <summary>Members holding free-form values (examples, defaults, extensions): anything goes below them.</summary>
    private static bool IsFreeForm(string key) =>
        key is "example" or "examples" or "default" or "enum" or "const" or "mapping" or "scopes"
        || key.StartsWith("x-", StringComparison.Ordinal);

    /// <summary>
    /// Microsoft.OpenApi throws, instead of reporting, on some malformed values: a null in a list, a map entry (a path,
    /// a property, a media type...) that is not an object, an empty
    /// <c>$ref</c>, a non-boolean <c>nullable</c> or <c>additionalProperties</c>, a non-number <c>maxLength</c>. Each is
    /// reported here where it is (KSEFGEN002) and removed, so the reader sees a document it can read and the rest of the
    /// spec still generates.
    /// </summary>
    private void RemoveMalformedValues(JsonNode node, bool inMap)
    {
        if (node is JsonObject obj)
        {
            List<string>? removed = null;
            foreach (var pair in obj)
            {
                var key = pair.Key;
                var value = pair.Value;
                if (!inMap && IsFreeForm(key))
                {
                    // Not checked, but touched: a repeated member below throws here (see ReadCore), not later in the reader.
                    Materialize(value);
                    continue;
                }
                if (value is null && !inMap)
                {
                    // A null field reads as an absent one (the 2025-09-17 spec has "description": null), except where the
                    // reader parses the text: there it is just dropped.
                    if (key == "$ref" || BooleanFields.Contains(key) || NumberFields.Contains(key)) (removed ??= new()).Add(key);
                    continue;
                }
                var problem = value is null ? $"'{key}' is null"
                    : inMap ? (value is JsonObject ? null : $"'{key}' is {Describe(value.GetValueKind())}, not an object")
                    : Malformed(key, value);
                if (problem is not null)
                {
                    Report(Diagnostics.ReaderError, MalformedPointer(key), problem + "; it is ignored");
                    (removed ??= new()).Add(key);
                    continue;
                }
                _malformedPath.Add(key);
                RemoveMalformedValues(value!, !inMap && MapFields.Contains(key));
                _malformedPath.RemoveAt(_malformedPath.Count - 1);
            }
            if (removed is not null) foreach (var key in removed) obj.Remove(key);
        }
        else if (node is JsonArray array)
        {
            for (var i = array.Count - 1; i >= 0; i--)
            {
                if (array[i] is { } item)
                {
                    if (item is JsonObject or JsonArray)
                    {
                        _malformedPath.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        RemoveMalformedValues(item, false);
                        _malformedPath.RemoveAt(_malformedPath.Count - 1);
                    }
                }
                else
                {
                    Report(Diagnostics.ReaderError, MalformedPointer(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "an element is null; it is ignored");
                    array.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The walk's current position (unescaped segments below the root), built into a pointer only when something is reported.</summary>
    private readonly List<string> _malformedPath = new();

    private string MalformedPointer(string last)
    {
        var pointer = new System.Text.StringBuilder("#");
        foreach (var segment in _malformedPath) pointer.Append('/').Append(JsonLocator.Escape(segment));
        return pointer.Append('/').Append(JsonLocator.Escape(last)).ToString();
    }

    private static string? Malformed(string key, JsonNode value)
    {
        var kind = value.GetValueKind();
        if (key == "$ref")
        {
            if (kind != JsonValueKind.String) return "'$ref' is not a string";
            var text = value.GetValue<string>().Trim();
            return text.Length == 0 || text.EndsWith("/", StringComparison.Ordinal) || text.EndsWith("#", StringComparison.Ordinal)
                ? $"'$ref' \"{text}\" names no component"
                : null;
        }
        if (BooleanFields.Contains(key))
        {
            var ok = kind is JsonValueKind.True or JsonValueKind.False
                || key == "additionalProperties" && kind == JsonValueKind.Object
                || key == "required" && kind == JsonValueKind.Array
                || key is "exclusiveMaximum" or "exclusiveMinimum" && kind == JsonValueKind.Number;
            return ok ? null : $"'{key}' is {Describe(kind)}, not true or false";
        }
        if (NumberFields.Contains(key) && kind != JsonValueKind.Number) return $"'{key}' is {Describe(kind)}, not a number";
        return null;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
