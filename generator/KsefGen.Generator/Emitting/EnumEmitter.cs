using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>String enums as readonly structs: known values as static members, any other value kept as it came.</summary>
internal static class EnumEmitter
{
    public static string Emit(SpecModel spec, EnumModel model)
    {
        var w = new SourceWriter().Header();
        var type = $"global::{spec.Namespace}.{model.Name}";
        w.Open($"namespace {spec.Namespace}");
        w.SpecDoc("summary", model.Description, $"The values of <c>{MarkdownDoc.Escape(model.SchemaName)}</c>.");
        w.Doc("remarks", "A value the spec does not list (one a newer server sends) is kept as it came and survives a round trip; see <see cref=\"IsKnown\"/>.");
        w.Line($"[global::System.Text.Json.Serialization.JsonConverter(typeof(global::{spec.Namespace}.Serialization.{model.Name}JsonConverter))]");
        if (model.Deprecated) w.Line("[global::System.Obsolete(\"The enum is deprecated in the KSeF API.\")]");
        w.Open($"public readonly partial struct {model.Name} : global::System.IEquatable<{type}>");
        w.Line("private readonly string? _value;");
        w.Line();
        w.Doc("summary", "Wraps any value, known or not.");
        w.Open($"public {model.Name}(string value)");
        w.Line("_value = value ?? throw new global::System.ArgumentNullException(nameof(value));");
        w.Close();
        w.Line();
        w.Doc("summary", "The value as sent on the wire.");
        w.Line("public string Value => _value ?? string.Empty;");
        foreach (var member in model.Members)
        {
            w.Line();
            w.Doc("summary", $"<c>{MarkdownDoc.Escape(member.Value)}</c>");
            w.Line($"public static {type} {member.Name} {{ get; }} = new({CSharpText.Literal(member.Value)});");
        }
        w.Line();
        w.Doc("summary", "Every value the spec lists.");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{type}> KnownValues {{ get; }} = new {type}[] {{ {string.Join(", ", model.Members.Select(m => m.Name))} }};");
        w.Line();
        w.Doc("summary", "True when the value is one the spec lists.");
        w.Line(model.Members.Count == 0
            ? "public bool IsKnown => false;"
            : "public bool IsKnown => global::System.Array.IndexOf(s_values, Value) >= 0;");
        w.Line();
        w.Doc("summary", "Reads a wire value leniently: a value equal to a known one ignoring case becomes that known member, in the spec's spelling (so IsKnown is true and it is written back as the spec spells it); any other value is kept as it came. The JSON converter reads with this; the constructor and the string conversion keep a value exactly as given.");
        w.Open($"public static {type} FromValue(string value)");
        if (model.Members.Count > 0)
        {
            // A lookup in the value table rather than a string switch: the same answers for far less generated code.
            w.Line("var index = global::System.Array.IndexOf(s_values, value);");
            w.Line("for (var i = 0; index < 0 && i < s_values.Length; i++) if (string.Equals(s_values[i], value, global::System.StringComparison.OrdinalIgnoreCase)) index = i;");
            w.Line("return index >= 0 ? KnownValues[index] : new(value);");
        }
        else
        {
            w.Line("return new(value);");
        }
        w.Close();
        if (model.Members.Count > 0)
        {
            w.Line();
            w.Line($"private static readonly string[] s_values = {{ {string.Join(", ", model.Members.Select(m => CSharpText.Literal(m.Value)))} }};");
        }
        w.Line();
        w.Doc("summary", "Ordinal comparison of the wire values.");
        w.Line($"public bool Equals({type} other) => string.Equals(Value, other.Value, global::System.StringComparison.Ordinal);");
        w.Line();
        w.Doc("summary", "Ordinal comparison of the wire values.");
        w.Line($"public override bool Equals(object? obj) => obj is {type} other && Equals(other);");
        w.Line();
        w.Doc("summary", "A hash of the wire value.");
        w.Line("public override int GetHashCode() => global::System.StringComparer.Ordinal.GetHashCode(Value);");
        w.Line();
        w.Doc("summary", "The wire value.");
        w.Line("public override string ToString() => Value;");
        w.Line();
        w.Doc("summary", "Ordinal equality.");
        w.Line($"public static bool operator ==({type} left, {type} right) => left.Equals(right);");
        w.Line();
        w.Doc("summary", "Ordinal inequality.");
        w.Line($"public static bool operator !=({type} left, {type} right) => !left.Equals(right);");
        w.Line();
        w.Doc("summary", "Wraps a wire value.");
        w.Line($"public static implicit operator {type}(string value) => new(value);");
        w.Close();
        w.Close();
        w.Line();

        w.Open($"namespace {spec.Namespace}.Serialization");
        w.Doc("summary", $"Reads and writes <see cref=\"{type}\"/> as a JSON string; known values are read ignoring case and written in the spec's spelling.");
        w.Open($"internal sealed class {model.Name}JsonConverter : global::{spec.Namespace}.Internal.KsefJsonConverter<{type}>");
        w.Line($"public override {type} Read(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Type typeToConvert, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line($"    => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : {type}.FromValue(reader.GetString()!);");
        w.Line();
        w.Line($"public override void Write(global::System.Text.Json.Utf8JsonWriter writer, {type} value, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("    => writer.WriteStringValue(value.Value);");
        w.Close();
        w.Close();
        return w.ToString();
    }
}
