using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>Model classes and their reflection-free JSON converters.</summary>
internal static class ModelEmitter
{
    public static string Emit(SpecModel spec, ObjectModel model, IReadOnlyDictionary<string, ObjectModel> objects)
    {
        var t = new TypeSyntax(spec.Namespace);
        var w = new SourceWriter().Header();
        w.Open($"namespace {spec.Namespace}");
        w.SpecDoc("summary", model.Description, $"The <c>{MarkdownDoc.Escape(model.SchemaName)}</c> schema.");
        w.Doc("remarks", MarkdownDoc.Escape($"Generated from the schema '{model.SchemaName}'."));
        w.Line($"[global::System.Text.Json.Serialization.JsonConverter(typeof({t.Converter(model.Name)}))]");
        if (model.Deprecated) w.Line("[global::System.Obsolete(\"The schema is deprecated in the KSeF API.\")]");
        w.Open($"public sealed partial class {model.Name}");

        var first = true;
        foreach (var property in model.Properties)
        {
            if (!first) w.Line();
            first = false;
            var nullable = property.Nullable || !property.Required;
            w.SpecDoc("summary", property.Description, $"The <c>{MarkdownDoc.Escape(property.JsonName)}</c> property.");
            w.DocLine("remarks", MarkdownDoc.Escape($"JSON property '{property.JsonName}'{(property.Required ? ", required" : ", optional")}{(property.Nullable ? ", nullable" : "")}{(property.ReadOnly ? ", read-only (set by the server)" : "")}."));
            if (property.Deprecated) w.Line("[global::System.Obsolete(\"The property is deprecated in the KSeF API.\")]");
            // C# forbids [Obsolete] on a required member: a deprecated required property is a plain one.
            var required = property.Required && !property.Deprecated ? "required " : "";
            var initializer = property.Required && property.Deprecated && !nullable && !property.Type.IsValueType ? " = default!;" : "";
            w.Line($"public {required}{t.Type(property.Type, nullable)} {property.Name} {{ get; set; }}{initializer}");

            if (property.StatusCodeType is { } statusType && property.StatusCodePropertyName is { } statusName
                && property.Type.Kind == TypeKind.Model && objects.TryGetValue(property.Type.Name!, out var target))
            {
                var code = target.Properties.FirstOrDefault(p => p.JsonName == "code");
                if (code is not null && code.Type.Kind == TypeKind.Int32)
                {
                    var codeNullable = code.Nullable || !code.Required;
                    var statusTypeName = $"global::{spec.Namespace}.{statusType}";
                    w.Line();
                    if (!codeNullable && property.Required && !property.Nullable)
                    {
                        // The API always sends this status with its code: the typed value is never null.
                        w.Doc("summary", $"The status code of <see cref=\"{property.Name}\"/> as a typed value with its documented meaning.");
                        w.Line($"public {statusTypeName} {statusName} => this.{property.Name} is {{ }} status ? new {statusTypeName}(status.{code.Name}) : throw new global::System.InvalidOperationException(\"The response has no '{property.JsonName}' although the API requires it.\");");
                    }
                    else
                    {
                        w.Doc("summary", $"The status code of <see cref=\"{property.Name}\"/> as a typed value with its documented meaning; null when the status or its code is missing.");
                        var getter = codeNullable
                            ? $"this.{property.Name}?.{code.Name} is int code ? new {statusTypeName}(code) : null"
                            : $"this.{property.Name} is {{ }} status ? new {statusTypeName}(status.{code.Name}) : null";
                        w.Line($"public {statusTypeName}? {statusName} => {getter};");
                    }
                }
            }
        }

        foreach (var accessor in model.ExtensionAccessors)
        {
            w.Line();
            w.Doc("summary", $"The documented extension <c>{MarkdownDoc.Escape(accessor.Key)}</c> from <see cref=\"{accessor.MapProperty}\"/>, or null when the server did not send it.");
            w.Line($"public string? {accessor.Name} => this.{accessor.MapProperty} is {{ }} map && map.TryGetValue({CSharpText.Literal(accessor.Key)}, out var value) ? value : null;");
        }
        w.Close();
        w.Close();
        w.Line();

        EmitConverter(w, t, spec, model);
        return w.ToString();
    }

    private static void EmitConverter(SourceWriter w, TypeSyntax t, SpecModel spec, ObjectModel model)
    {
        var type = $"global::{spec.Namespace}.{model.Name}";
        // The converter is internal and its annotations stay as they are, but the compiler's nullable flow analysis is
        // off for it: with a tracked local per property in one read loop, that analysis was the largest single cost of
        // compiling the generated code, and it checks nothing here that the round-trip tests do not (a required property
        // the JSON lacked is read as null! on purpose).
        w.Line("#nullable disable warnings");
        w.Open($"namespace {spec.Namespace}.Serialization");
        w.Doc("summary", $"Reads and writes <see cref=\"{type}\"/> without reflection (trimming and AOT safe). Unknown properties are skipped; names match exactly, or ignoring case when the options' PropertyNameCaseInsensitive is set. Writing uses the spec's spelling.");
        w.Open($"internal sealed class {model.Name}JsonConverter : global::{spec.Namespace}.Internal.KsefJsonConverter<{type}>");
        w.Line($"public static readonly {model.Name}JsonConverter Instance = new();");
        w.Line();
        var count = model.Properties.Count;
        if (count > 0)
        {
            w.Line($"private static readonly {t.Names} Names = new({string.Join(", ", model.Properties.Select(p => CSharpText.Literal(p.JsonName)))});");
            w.Line();
        }
        w.Open($"public override {type}? Read(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Type typeToConvert, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null) return null;");
        w.Line($"if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject) throw new global::System.Text.Json.JsonException(\"Expected a JSON object for {model.Name}.\");");
        var index = 0;
        foreach (var property in model.Properties)
        {
            var nullable = property.Nullable || !property.Required;
            var localType = property.Type.IsValueType ? t.Type(property.Type, nullable) : t.Type(property.Type, true);
            w.Line($"{localType} p{index++} = default;");
        }
        if (count == 0)
        {
            w.Open("while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject)");
            w.Line("reader.Read();");
            w.Line("reader.Skip();");
            w.Close();
        }
        else
        {
            // KsefJsonNames.Next matches the name (exact names first, then, only when the options ask for it, ignoring
            // case; a slot filled by its exact name is not overwritten by a case-insensitive duplicate), skips unknown
            // properties and stops on the value of a known one: here only the slot's value is read.
            w.Line($"global::System.Span<bool> exact = stackalloc bool[{count}];");
            w.Line("int slot;");
            w.Open("while ((slot = Names.Next(ref reader, exact, options)) >= 0)");
            w.Open("switch (slot)");
            index = 0;
            foreach (var property in model.Properties)
            {
                var nullable = property.Nullable || !property.Required;
                w.Line($"case {index}:");
                w.Line($"    p{index} = {t.Read(property.Type, nullable || !property.Type.IsValueType, "reader", "options", 1)};");
                w.Line("    break;");
                index++;
            }
            w.Close();
            w.Close();
        }
        w.Open($"return new {type}");
        index = 0;
        foreach (var property in model.Properties)
        {
            var nullable = property.Nullable || !property.Required;
            var bang = !nullable && !property.Type.IsValueType ? "!" : "";
            w.Line($"{property.Name} = p{index++}{bang},");
        }
        w.Close(";");
        w.Close();
        w.Line();
        w.Open($"public override void Write(global::System.Text.Json.Utf8JsonWriter writer, {type} value, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("writer.WriteStartObject();");
        foreach (var property in model.Properties)
        {
            var nullable = property.Nullable || !property.Required;
            var name = $"{CSharpText.Literal(property.JsonName)}u8";
            if (property.Required)
            {
                w.Line("{");
                w.Line($"    writer.WritePropertyName({name});");
                w.Line("    " + t.Write(property.Type, nullable, "value." + property.Name, "writer", "options", 1));
                w.Line("}");
            }
            else
            {
                w.Open($"if (value.{property.Name} is {{ }} {Local(property)})");
                w.Line($"writer.WritePropertyName({name});");
                w.Line(t.Write(property.Type, false, Local(property), "writer", "options", 2, notNull: true));
                w.Close();
            }
        }
        w.Line("writer.WriteEndObject();");
        w.Close();
        w.Close();
        w.Close();
        w.Line("#nullable enable warnings");
    }

    private static string Local(PropertyModel property) => "the" + property.Name.TrimStart('@');
}
