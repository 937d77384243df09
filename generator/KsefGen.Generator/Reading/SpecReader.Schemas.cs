using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using KsefGen.Generator.Model;
using Microsoft.OpenApi;

namespace KsefGen.Generator.Reading;

internal sealed partial class SpecReader
{
    private readonly List<ObjectBuilder> _objectBuilders = new();
    private readonly Dictionary<string, IOpenApiSchema> _pendingAliases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolvingAliases = new(StringComparer.Ordinal);

    private sealed class ObjectBuilder
    {
        public ObjectBuilder(string name, string schemaName, string? description, bool deprecated, List<PropertyModel> properties)
        {
            Name = name;
            SchemaName = schemaName;
            Description = description;
            Deprecated = deprecated;
            Properties = properties;
        }

        public string Name { get; }
        public string SchemaName { get; }
        public string? Description { get; }
        public bool Deprecated { get; }
        public List<PropertyModel> Properties { get; }
    }

    private void ReadComponents(OpenApiDocument document, CancellationToken cancellationToken)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null) return;
        _componentSchemas = schemas;
        var keys = schemas.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

        // Pass 1: every enum and object component gets its type name, so that references resolve in any order.
        var objects = new List<(string Key, IOpenApiSchema Schema, string Name, string Pointer)>();
        foreach (var key in keys)
        {
            var schema = schemas[key];
            var pointer = "#/components/schemas/" + JsonLocator.Escape(key);
            _componentPointers[key] = pointer;
            if (schema is OpenApiSchemaReference || !IsEnumSchema(schema) && !IsObjectSchema(schema))
            {
                _pendingAliases[key] = schema;
                continue;
            }
            var name = UniqueTypeName(_names.Schema(key) ?? Naming.TypeName(key), "schema", pointer);
            if (IsEnumSchema(schema))
            {
                _components[key] = new TypeRef(TypeKind.Enum, name);
                AddEnum(name, key, schema);
            }
            else
            {
                _components[key] = new TypeRef(TypeKind.Model, name);
                objects.Add((key, schema, name, pointer));
            }
        }

        // Pass 2: aliases (primitive strings such as ReferenceNumber, arrays, single-ref wrappers).
        foreach (var key in keys)
        {
            if (_pendingAliases.ContainsKey(key)) ResolveAlias(key);
        }

        // Pass 3: object properties.
        foreach (var (key, schema, name, pointer) in objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BuildObject(name, key, schema, pointer);
        }
    }

    private TypeRef ResolveAlias(string key)
    {
        if (_components.TryGetValue(key, out var known)) return known;
        if (!_pendingAliases.TryGetValue(key, out var schema) || !_resolvingAliases.Add(key))
        {
            // A cycle of aliases: nothing sensible to map it to.
            return TypeRef.Any;
        }
        var type = ResolveType(schema, _componentPointers[key], Naming.TypeName(key), out _);
        _resolvingAliases.Remove(key);
        _pendingAliases.Remove(key);
        _components[key] = type;
        return type;
    }

    private static bool IsEnumSchema(IOpenApiSchema schema) =>
        schema.Enum is { Count: > 0 } && (schema.Type is null || (schema.Type.Value & JsonSchemaType.String) != 0)
        && (schema.Type is null || (schema.Type.Value & JsonSchemaType.Array) == 0);

    private static bool IsObjectSchema(IOpenApiSchema schema)
    {
        if (schema.AllOf is { Count: > 0 } || schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 }) return false;
        if (schema.Properties is { Count: > 0 }) return true;
        return schema.Type is { } type && (type & JsonSchemaType.Object) != 0 && schema.AdditionalProperties is null;
    }

    private string UniqueTypeName(string name, string kind, string pointer)
    {
        var unique = Naming.Unique(name, _typeNames);
        if (unique != name) Report(Diagnostics.NameCollision, pointer, kind, name, unique);
        return unique;
    }

    private void AddEnum(string name, string schemaName, IOpenApiSchema schema)
    {
        var members = new List<EnumMemberModel>();
        var taken = new HashSet<string>(Naming.ObjectMembers, StringComparer.Ordinal) { name, "Value", "IsKnown", "KnownValues", "FromValue" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in schema.Enum!)
        {
            var value = node is System.Text.Json.Nodes.JsonValue jsonValue && jsonValue.TryGetValue<string>(out var text) ? text : node?.ToJsonString();
            if (value is null || !seen.Add(value)) continue;
            var memberName = Naming.Unique(value.Length == 0 ? "Empty" : Naming.TypeName(value), taken);
            members.Add(new EnumMemberModel(value, memberName));
        }
        _enums.Add(new EnumModel(name, schemaName, schema.Description, schema.Deprecated, members.ToEquatableArray()));
    }

    /// <summary>Maps a schema to a C# type; inline objects and enums become named types of their own.</summary>
    private TypeRef ResolveType(IOpenApiSchema? schema, string pointer, string contextName, out bool nullable)
    {
        nullable = false;
        if (schema is null) return TypeRef.Any;

        if (schema is OpenApiSchemaReference reference)
        {
            var id = reference.Reference?.Id;
            var target = TargetOf(reference);
            if (id is not null && (_components.ContainsKey(id) || _pendingAliases.ContainsKey(id)) && target is not null)
            {
                try
                {
                    nullable = target.Type is { } targetType && (targetType & JsonSchemaType.Null) != 0;
                    return ResolveAlias(id);
                }
                catch (InvalidOperationException)
                {
                    // A cycle of references: reported below as a reference that resolves to nothing.
                }
            }
            var refText = reference.Reference?.ReferenceV3 ?? id ?? "(unknown)";
            if (_reportedRefs.Add(pointer)) Report(Diagnostics.UnresolvedReference, pointer, refText, contextName);
            nullable = true;
            return TypeRef.Any;
        }

        // The raw JSON is asked too: Microsoft.OpenApi folds a oneOf of primitives into a multi-type schema, and
        // drops nullable: true when there is no type.
        var raw = RawAt(pointer);
        foreach (var keyword in new[] { "oneOf", "anyOf", "not", "discriminator" })
        {
            if (raw is JsonObject r && r.ContainsKey(keyword)) return Unsupported(keyword, pointer, contextName, out nullable);
        }
        if (schema.OneOf is { Count: > 0 }) return Unsupported("oneOf", pointer, contextName, out nullable);
        if (schema.AnyOf is { Count: > 0 }) return Unsupported("anyOf", pointer, contextName, out nullable);
        if (schema.Not is not null) return Unsupported("not", pointer, contextName, out nullable);
        if (schema.Discriminator is not null) return Unsupported("discriminator", pointer, contextName, out nullable);

        var rawNullable = schema.Type is null && raw is JsonObject o
            && o.TryGetPropertyValue("nullable", out var n) && n is JsonValue nv && nv.TryGetValue<bool>(out var isNullable) && isNullable;
        if (schema.AllOf is { Count: > 0 } allOf)
        {
            if (allOf.Count > 1) return Unsupported($"allOf with {allOf.Count} schemas", pointer, contextName, out nullable);
            var inner = ResolveType(allOf[0], pointer + "/allOf/0", contextName, out var innerNullable);
            nullable = innerNullable || HasNull(schema.Type) || rawNullable;
            return inner;
        }

        nullable = HasNull(schema.Type) || rawNullable;
        var type = schema.Type is { } t ? t & ~JsonSchemaType.Null : (JsonSchemaType?)null;

        if (IsEnumSchema(schema) && type != JsonSchemaType.Array)
        {
            var enumName = UniqueTypeName(contextName, "inline enum", pointer);
            AddEnum(enumName, contextName, schema);
            return new TypeRef(TypeKind.Enum, enumName);
        }

        switch (type)
        {
            case JsonSchemaType.String:
                return schema.Format switch
                {
                    "date-time" => new TypeRef(TypeKind.DateTime),
                    "date" => new TypeRef(TypeKind.Date),
                    "byte" => new TypeRef(TypeKind.Bytes),
                    "binary" => new TypeRef(TypeKind.Bytes),
                    "uri" => new TypeRef(TypeKind.Uri),
                    _ => TypeRef.String,
                };
            case JsonSchemaType.Integer:
                return new TypeRef(schema.Format == "int64" ? TypeKind.Int64 : TypeKind.Int32);
            case JsonSchemaType.Number:
                return new TypeRef(schema.Format switch
                {
                    "float" => TypeKind.Float,
                    "decimal" => TypeKind.Decimal,
                    "int32" => TypeKind.Int32,
                    "int64" => TypeKind.Int64,
                    _ => TypeKind.Double,
                });
            case JsonSchemaType.Boolean:
                return new TypeRef(TypeKind.Boolean);
            case JsonSchemaType.Array:
            {
                var item = ResolveType(schema.Items, pointer + "/items", contextName + "Item", out var itemNullable);
                return new TypeRef(TypeKind.Array, Element: item, ElementNullable: itemNullable);
            }
            case null:
            case JsonSchemaType.Object:
                if (schema.Properties is { Count: > 0 })
                {
                    var name = UniqueTypeName(contextName, "inline schema", pointer);
                    BuildObject(name, contextName, schema, pointer);
                    return new TypeRef(TypeKind.Model, name);
                }
                if (schema.AdditionalProperties is { } additional)
                {
                    var value = ResolveType(additional, pointer + "/additionalProperties", contextName + "Value", out var valueNullable);
                    return new TypeRef(TypeKind.Map, Element: value, ElementNullable: valueNullable);
                }
                return TypeRef.Any;
            default:
                // Several types at once (OpenAPI 3.1 "type": ["string", "integer"]): keep the raw JSON.
                return TypeRef.Any;
        }
    }

    /// <summary>
    /// The schema a reference points to, or null on a cycle of plain references (A: $ref B, B: $ref A), where
    /// Microsoft.OpenApi throws. A local reference to a component schema that is not itself a reference is looked up
    /// directly (the reader's general resolution parses the pointer on every call); anything else goes through the reader.
    /// </summary>
    private IOpenApiSchema? TargetOf(OpenApiSchemaReference reference)
    {
        if (reference.Reference is { IsExternal: false, Type: ReferenceType.Schema, Id: { } id }
            && _componentSchemas is { } schemas
            && schemas.TryGetValue(id, out var component)
            && component is OpenApiSchema direct)
        {
            return direct;
        }
        try
        {
            return reference.Target;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private IDictionary<string, IOpenApiSchema>? _componentSchemas;

    private TypeRef Unsupported(string construct, string pointer, string contextName, out bool nullable)
    {
        Report(Diagnostics.UnsupportedConstruct, pointer, construct, contextName);
        nullable = true;
        return TypeRef.Any;
    }

    private static bool HasNull(JsonSchemaType? type) => type is { } t && (t & JsonSchemaType.Null) != 0;

    private void BuildObject(string name, string schemaName, IOpenApiSchema schema, string pointer)
    {
        var required = schema.Required ?? new HashSet<string>();
        var properties = new List<PropertyModel>();
        var taken = new HashSet<string>(Naming.ObjectMembers, StringComparer.Ordinal) { name };
        if (schema.Properties is { } props)
        {
            foreach (var pair in props)
            {
                var jsonName = pair.Key;
                var propertySchema = pair.Value;
                var propertyPointer = pointer + "/properties/" + JsonLocator.Escape(jsonName);
                var candidate = Naming.TypeName(jsonName);
                if (candidate == name) candidate += "Value";
                var csName = Naming.Unique(candidate, taken);
                if (csName != candidate) Report(Diagnostics.NameCollision, propertyPointer, "property", candidate, csName);

                var type = ResolveType(propertySchema, propertyPointer, name + Naming.Pascal(jsonName), out var nullable);
                var description = propertySchema is OpenApiSchemaReference propertyReference
                    ? TargetOf(propertyReference)?.Description
                    : propertySchema.Description;
                string? statusType = null;
                string? statusProperty = null;
                if (description is not null && description.IndexOf('|') >= 0)
                {
                    var parsed = StatusTableParser.Parse(description);
                    if (parsed.Found && HasIntegerCode(propertySchema))
                    {
                        statusType = RegisterStatusTable(schemaName, jsonName, parsed, type, propertyPointer);
                        // The description keeps its table: the XML docs render it as a <list type="table">.
                        if (statusType is not null) statusProperty = Naming.Unique(csName + "Code", taken);
                    }
                }

                properties.Add(new PropertyModel(
                    jsonName,
                    csName,
                    type,
                    required.Contains(jsonName),
                    nullable,
                    description,
                    propertySchema.Deprecated,
                    propertySchema.ReadOnly,
                    statusType,
                    statusProperty));
            }
        }
        _objectBuilders.Add(new ObjectBuilder(name, schemaName, schema.Description, schema.Deprecated, properties));
    }

    /// <summary>True when the schema (through allOf/$ref) is an object with an integer <c>code</c>, like StatusInfo.</summary>
    private bool HasIntegerCode(IOpenApiSchema schema)
    {
        var target = Unwrap(schema);
        if (target?.Properties is null || !target.Properties.TryGetValue("code", out var code)) return false;
        // An int64 code would not fit the status-code types, which wrap an int.
        var codeSchema = Unwrap(code);
        return codeSchema?.Type is { } t && (t & JsonSchemaType.Integer) != 0 && codeSchema.Format != "int64";
    }

    private IOpenApiSchema? Unwrap(IOpenApiSchema? schema)
    {
        for (var depth = 0; depth < 16 && schema is not null; depth++)
        {
            if (schema is OpenApiSchemaReference reference)
            {
                schema = TargetOf(reference);
            }
            else if (schema.AllOf is { Count: 1 } allOf)
            {
                schema = allOf[0];
            }
            else
            {
                return schema;
            }
        }
        return schema;
    }

    private List<ObjectModel> AttachExtensionAccessors()
    {
        var result = new List<ObjectModel>(_objectBuilders.Count);
        foreach (var builder in _objectBuilders)
        {
            var accessors = new List<ExtensionAccessorModel>();
            if (_extensionKeys.TryGetValue(builder.Name, out var keys))
            {
                var map = builder.Properties.FirstOrDefault(p => p.JsonName == "extensions" && p.Type.Kind == TypeKind.Map
                    && p.Type.Element?.Kind == TypeKind.String);
                if (map is not null)
                {
                    var taken = new HashSet<string>(builder.Properties.Select(p => p.Name), StringComparer.Ordinal) { builder.Name };
                    taken.UnionWith(builder.Properties.Select(p => p.StatusCodePropertyName).OfType<string>());
                    taken.UnionWith(Naming.ObjectMembers);
                    foreach (var key in keys)
                    {
                        var candidate = Naming.TypeName(key);
                        if (taken.Contains(candidate)) continue;
                        taken.Add(candidate);
                        accessors.Add(new ExtensionAccessorModel(map.Name, key, candidate));
                    }
                }
            }
            result.Add(new ObjectModel(
                builder.Name,
                builder.SchemaName,
                builder.Description,
                builder.Deprecated,
                builder.Properties.ToEquatableArray(),
                accessors.ToEquatableArray()));
        }
        return result;
    }
}
