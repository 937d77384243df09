using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>
/// Status-code types from the Markdown tables in descriptions: one static member per documented code, with its
/// Polish description and details, and IsInProgress / IsSuccess / IsTerminal. Any other code stays representable.
/// </summary>
internal static class StatusCodeEmitter
{
    public static string Emit(SpecModel spec, StatusTableModel table)
    {
        var w = new SourceWriter().Header();
        var type = $"global::{spec.Namespace}.{table.Name}";
        var description = $"global::{spec.Namespace}.KsefStatusDescription";
        w.Open($"namespace {spec.Namespace}");
        w.Doc("summary", MarkdownDoc.Escape($"A status code documented in the status table{(table.Sources.Count > 1 ? "s" : "")} of {string.Join(", ", table.Sources)}."));
        w.Doc("remarks",
            "<para>Codes below 200 mean the operation is still in progress; 200-299 mean success; 300 and above are terminal failures.</para>\n" +
            "<para>A code the tables do not list (a newer server, or the table's '*' row) is kept as it came: see <see cref=\"IsKnown\"/>.</para>");
        w.Line($"[global::System.Text.Json.Serialization.JsonConverter(typeof(global::{spec.Namespace}.Serialization.{table.Name}JsonConverter))]");
        w.Open($"public readonly partial struct {table.Name} : global::System.IEquatable<{type}>, global::System.IComparable<{type}>");
        w.Doc("summary", "Wraps any code, documented or not.");
        w.Line($"public {table.Name}(int value) => Value = value;");
        w.Line();
        w.Doc("summary", "The numeric code.");
        w.Line("public int Value { get; }");

        foreach (var row in table.Rows)
        {
            var code = row.Code.ToString(CultureInfo.InvariantCulture);
            w.Line();
            // Table cells are Markdown too (bold, code, links): inline only, as a cell has no blocks.
            w.Doc("summary", code + " — " + string.Join("; ", row.Variants.Select(v => v.Scope is null ? MarkdownDoc.InlineToXml(v.Description) : MarkdownDoc.InlineToXml(v.Scope) + ": " + MarkdownDoc.InlineToXml(v.Description))));
            var details = row.Variants.SelectMany(v => v.Details).Distinct().ToList();
            var remarks = new List<string>();
            if (details.Count > 0) remarks.Add("<para>Details: " + string.Join(" | ", details.Select(MarkdownDoc.InlineToXml)) + "</para>");
            if (row.Extensions.Count > 0) remarks.Add(MarkdownDoc.Para("Extensions: " + string.Join(", ", row.Extensions)));
            w.Doc("remarks", remarks.Count == 0 ? null : string.Join("\n", remarks));
            w.Line($"public static {type} {row.Name} => new({code});");
        }

        w.Line();
        w.Doc("summary", "Every code the tables document, in ascending order.");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{type}> KnownCodes {{ get; }} = new {type}[] {{ {string.Join(", ", table.Rows.Select(r => "new(" + r.Code.ToString(CultureInfo.InvariantCulture) + ")"))} }};");
        w.Line();
        w.Doc("summary", "Wraps a code.");
        w.Line($"public static {type} FromCode(int code) => new(code);");
        w.Line();
        w.Doc("summary", "True when the tables document this code.");
        w.Line(table.Rows.Count == 0
            ? "public bool IsKnown => false;"
            : $"public bool IsKnown => Value switch {{ {string.Join(" or ", table.Rows.Select(r => r.Code.ToString(CultureInfo.InvariantCulture)))} => true, _ => false }};");
        w.Line();
        w.Doc("summary", "Below 200: accepted, still being processed. Keep polling the same submission.");
        w.Line("public bool IsInProgress => Value < 200;");
        w.Line();
        w.Doc("summary", "200-299: processed successfully.");
        w.Line("public bool IsSuccess => Value >= 200 && Value < 300;");
        w.Line();
        w.Doc("summary", "200 and above: the status will not change any more.");
        w.Line("public bool IsTerminal => Value >= 200;");
        w.Line();
        w.Doc("summary", "300 and above: a terminal failure.");
        w.Line("public bool IsFailure => Value >= 300;");
        w.Line();
        w.Doc("summary", "The English member name of a documented code, or null.");
        w.Line($"public string? Name => Value switch {{ {string.Join(", ", table.Rows.Select(r => r.Code.ToString(CultureInfo.InvariantCulture) + " => " + CSharpText.Literal(r.Name)))}{(table.Rows.Count > 0 ? ", " : "")}_ => null }};");
        w.Line();
        w.Doc("summary", "The documented meanings of this code (several when sub-tables or rows differ), empty for an undocumented code.");
        w.Open($"public global::System.Collections.Generic.IReadOnlyList<{description}> Descriptions => Value switch");
        foreach (var row in table.Rows)
        {
            w.Line($"{row.Code.ToString(CultureInfo.InvariantCulture)} => s_{row.Name},");
        }
        w.Line($"_ => global::System.Array.Empty<{description}>(),");
        w.Close(";");
        w.Line();
        w.Doc("summary", "The documented description (the first one when sub-tables differ), or null for an undocumented code.");
        w.Line("public string? Description => Descriptions.Count > 0 ? Descriptions[0].Text : null;");
        w.Line();
        w.Doc("summary", "The keys of the <c>extensions</c> map documented for this code (for example 440's originalKsefNumber).");
        w.Open("public global::System.Collections.Generic.IReadOnlyList<string> DocumentedExtensions => Value switch");
        foreach (var row in table.Rows.Where(r => r.Extensions.Count > 0))
        {
            w.Line($"{row.Code.ToString(CultureInfo.InvariantCulture)} => new string[] {{ {string.Join(", ", row.Extensions.Select(CSharpText.Literal))} }},");
        }
        w.Line("_ => global::System.Array.Empty<string>(),");
        w.Close(";");

        foreach (var row in table.Rows)
        {
            w.Line();
            var variants = row.Variants.Select(v =>
                $"new {description}({CSharpText.Literal(v.Scope)}, {CSharpText.Literal(v.Description)}, new string[] {{ {string.Join(", ", v.Details.Select(CSharpText.Literal))} }})");
            w.Line($"private static readonly {description}[] s_{row.Name} = new {description}[] {{ {string.Join(", ", variants)} }};");
        }

        w.Line();
        w.Doc("summary", "Equal when the codes are equal.");
        w.Line($"public bool Equals({type} other) => Value == other.Value;");
        w.Line();
        w.Doc("summary", "Equal when the codes are equal.");
        w.Line($"public override bool Equals(object? obj) => obj is {type} other && Equals(other);");
        w.Line();
        w.Doc("summary", "The code.");
        w.Line("public override int GetHashCode() => Value;");
        w.Line();
        w.Doc("summary", "Orders by code.");
        w.Line($"public int CompareTo({type} other) => Value.CompareTo(other.Value);");
        w.Line();
        w.Doc("summary", "\"440 (Duplicate)\", or just the number for an undocumented code.");
        w.Line("public override string ToString() => Name is { } name ? Value.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" (\" + name + \")\" : Value.ToString(global::System.Globalization.CultureInfo.InvariantCulture);");
        w.Line();
        w.Doc("summary", "Equal codes.");
        w.Line($"public static bool operator ==({type} left, {type} right) => left.Equals(right);");
        w.Line();
        w.Doc("summary", "Different codes.");
        w.Line($"public static bool operator !=({type} left, {type} right) => !left.Equals(right);");
        w.Line();
        w.Doc("summary", "The numeric code.");
        w.Line($"public static implicit operator int({type} code) => code.Value;");
        w.Line();
        w.Doc("summary", "Wraps a numeric code.");
        w.Line($"public static explicit operator {type}(int code) => new(code);");
        w.Close();
        w.Close();
        w.Line();

        w.Open($"namespace {spec.Namespace}.Serialization");
        w.Doc("summary", $"Reads and writes <see cref=\"{type}\"/> as a JSON number.");
        w.Open($"internal sealed class {table.Name}JsonConverter : global::{spec.Namespace}.Internal.KsefJsonConverter<{type}>");
        w.Line($"public override {type} Read(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Type typeToConvert, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line($"    => new {type}(reader.GetInt32());");
        w.Line();
        w.Line($"public override void Write(global::System.Text.Json.Utf8JsonWriter writer, {type} value, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("    => writer.WriteNumberValue(value.Value);");
        w.Close();
        w.Close();
        return w.ToString();
    }
}
