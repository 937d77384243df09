using System;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>C# type names and the JSON read/write code for each <see cref="TypeRef"/>.</summary>
internal sealed class TypeSyntax
{
    private const string Reader = "global::System.Text.Json.Utf8JsonReader";
    private const string Options = "global::System.Text.Json.JsonSerializerOptions";
    private const string Writer = "global::System.Text.Json.Utf8JsonWriter";
    private const string NullToken = "global::System.Text.Json.JsonTokenType.Null";

    private readonly string _ns;

    public TypeSyntax(string ns) => _ns = ns;

    public string Json => "global::" + _ns + ".Internal.KsefJson";

    public string Names => "global::" + _ns + ".Internal.KsefJsonNames";

    public string Converter(string typeName) => "global::" + _ns + ".Serialization." + typeName + "JsonConverter";

    public string Type(TypeRef type, bool nullable)
    {
        var name = type.Kind switch
        {
            TypeKind.String => "string",
            TypeKind.Int32 => "int",
            TypeKind.Int64 => "long",
            TypeKind.Double => "double",
            TypeKind.Float => "float",
            TypeKind.Decimal => "decimal",
            TypeKind.Boolean => "bool",
            TypeKind.DateTime => "global::System.DateTimeOffset",
            TypeKind.Date => "global::System.DateOnly",
            TypeKind.Bytes => "byte[]",
            TypeKind.Uri => "global::System.Uri",
            TypeKind.Any => "global::System.Text.Json.JsonElement",
            TypeKind.Model or TypeKind.Enum => "global::" + _ns + "." + type.Name,
            TypeKind.Array => "global::System.Collections.Generic.IReadOnlyList<" + Type(type.Element!, type.ElementNullable) + ">",
            TypeKind.Map => "global::System.Collections.Generic.IReadOnlyDictionary<string, " + Type(type.Element!, type.ElementNullable) + ">",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        return nullable ? name + "?" : name;
    }

    /// <summary>An expression reading the current token of reader <paramref name="r"/> as the type.</summary>
    public string Read(TypeRef type, bool nullable, string r, string options, int depth)
    {
        var bang = nullable ? "" : "!";
        switch (type.Kind)
        {
            case TypeKind.String:
                return $"{r}.GetString(){bang}";
            case TypeKind.Model:
                return $"{Converter(type.Name!)}.Instance.Read(ref {r}, typeof({Type(type, false)}), {options}){bang}";
            case TypeKind.Array:
            case TypeKind.Map:
            {
                var rr = "r" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var oo = "o" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var item = Read(type.Element!, type.ElementNullable, rr, oo, depth + 1);
                var method = type.Kind == TypeKind.Array ? "ReadList" : "ReadMap";
                return $"{Json}.{method}<{Type(type.Element!, type.ElementNullable)}>(ref {r}, {options}, static (ref {Reader} {rr}, {Options} {oo}) => {item}){bang}";
            }
            case TypeKind.Bytes:
            case TypeKind.Uri:
            {
                var get = type.Kind == TypeKind.Bytes ? $"{r}.GetBytesFromBase64()" : $"{Json}.ReadUri(ref {r})";
                return nullable ? $"({r}.TokenType == {NullToken} ? null : {get})" : $"({r}.TokenType == {NullToken} ? null! : {get})";
            }
            case TypeKind.Int32:
            case TypeKind.Int64:
            case TypeKind.Double:
            case TypeKind.Float:
            case TypeKind.Decimal:
            case TypeKind.Boolean:
            case TypeKind.DateTime:
            case TypeKind.Date:
            {
                // One call to a small KsefJson helper (null token → null or default) instead of a conditional per value.
                var helper = type.Kind switch
                {
                    TypeKind.Int32 => "Int32",
                    TypeKind.Int64 => "Int64",
                    TypeKind.Double => "Double",
                    TypeKind.Float => "Single",
                    TypeKind.Decimal => "Decimal",
                    TypeKind.Boolean => "Boolean",
                    TypeKind.DateTime => "DateTimeOffset",
                    _ => "Date",
                };
                return $"{Json}.{helper}{(nullable ? "OrNull" : "OrDefault")}(ref {r})";
            }
            default:
            {
                var get = type.Kind switch
                {
                    TypeKind.Int32 => $"{r}.GetInt32()",
                    TypeKind.Int64 => $"{r}.GetInt64()",
                    TypeKind.Double => $"{r}.GetDouble()",
                    TypeKind.Float => $"{r}.GetSingle()",
                    TypeKind.Decimal => $"{r}.GetDecimal()",
                    TypeKind.Boolean => $"{r}.GetBoolean()",
                    TypeKind.DateTime => $"{r}.GetDateTimeOffset()",
                    TypeKind.Date => $"{Json}.ReadDate(ref {r})",
                    TypeKind.Any => $"{Json}.ReadAny(ref {r})",
                    TypeKind.Enum => $"{Type(type, false)}.FromValue({r}.GetString()!)",
                    _ => throw new ArgumentOutOfRangeException(nameof(type)),
                };
                if (type.Kind == TypeKind.Any && !nullable) return get;
                return $"({r}.TokenType == {NullToken} ? default({Type(type, nullable)}) : {get})";
            }
        }
    }

    /// <summary>A statement writing <paramref name="value"/> with writer <paramref name="w"/>.</summary>
    /// <remarks>With <paramref name="notNull"/> the value is known not to be null (already tested): no second test.</remarks>
    public string Write(TypeRef type, bool nullable, string value, string w, string options, int depth, bool notNull = false)
    {
        var v = "v" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mayBeNull = !notNull && (nullable || !type.IsValueType);
        var target = mayBeNull ? v : value;
        string write;
        switch (type.Kind)
        {
            case TypeKind.String:
            case TypeKind.DateTime:
                write = $"{w}.WriteStringValue({target});";
                break;
            case TypeKind.Int32:
            case TypeKind.Int64:
            case TypeKind.Double:
            case TypeKind.Float:
            case TypeKind.Decimal:
                write = $"{w}.WriteNumberValue({target});";
                break;
            case TypeKind.Boolean:
                write = $"{w}.WriteBooleanValue({target});";
                break;
            case TypeKind.Date:
                write = $"{w}.WriteStringValue({target}.ToString(\"yyyy-MM-dd\", global::System.Globalization.CultureInfo.InvariantCulture));";
                break;
            case TypeKind.Bytes:
                write = $"{w}.WriteBase64StringValue({target});";
                break;
            case TypeKind.Uri:
                write = $"{w}.WriteStringValue({target}.OriginalString);";
                break;
            case TypeKind.Any:
                write = $"{target}.WriteTo({w});";
                break;
            case TypeKind.Enum:
                write = $"{w}.WriteStringValue({target}.Value);";
                break;
            case TypeKind.Model:
                write = $"{Converter(type.Name!)}.Instance.Write({w}, {target}, {options});";
                break;
            case TypeKind.Array:
            case TypeKind.Map:
            {
                var d = (depth + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var item = Write(type.Element!, type.ElementNullable, "i" + d, "w" + d, "o" + d, depth + 1);
                var method = type.Kind == TypeKind.Array ? "WriteList" : "WriteMap";
                write = $"{Json}.{method}<{Type(type.Element!, type.ElementNullable)}>({w}, {target}, {options}, static ({Writer} w{d}, {Type(type.Element!, type.ElementNullable)} i{d}, {Options} o{d}) => {{ {item} }});";
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
        return mayBeNull ? $"if ({value} is {{ }} {v}) {{ {write} }} else {{ {w}.WriteNullValue(); }}" : write;
    }

    /// <summary>An expression formatting a path, query or header value as text.</summary>
    public string Format(TypeRef type, string value) => type.Kind switch
    {
        TypeKind.String => value,
        TypeKind.Int32 or TypeKind.Int64 or TypeKind.Double or TypeKind.Float or TypeKind.Decimal
            => $"{value}.ToString(global::System.Globalization.CultureInfo.InvariantCulture)",
        TypeKind.Boolean => $"({value} ? \"true\" : \"false\")",
        TypeKind.DateTime => $"{value}.ToString(\"O\", global::System.Globalization.CultureInfo.InvariantCulture)",
        TypeKind.Date => $"{value}.ToString(\"yyyy-MM-dd\", global::System.Globalization.CultureInfo.InvariantCulture)",
        TypeKind.Bytes => $"global::System.Convert.ToBase64String({value})",
        TypeKind.Uri => $"{value}.ToString()",
        TypeKind.Enum => $"{value}.Value",
        _ => $"{value}.ToString()",
    };
}
