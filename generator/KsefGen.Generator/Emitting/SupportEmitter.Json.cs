namespace KsefGen.Generator.Emitting;

internal static partial class SupportEmitter
{
    // The JSON helpers every converter uses: the converter base, name tables, primitive readers and writers.
    private const string JsonTemplate = """
namespace __NS__.Internal
{
    /// <summary>Reads one JSON value.</summary>
    internal delegate T KsefReadFunc<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options);

    /// <summary>Creates the JSON metadata of the type its converter converts.</summary>
    internal interface IKsefJsonTypeInfoFactory
    {
        /// <summary>The converted type.</summary>
        global::System.Type? Type { get; }

        /// <summary>Metadata for the type, bound to the options, reading and writing through this converter.</summary>
        global::System.Text.Json.Serialization.Metadata.JsonTypeInfo CreateTypeInfo(global::System.Text.Json.JsonSerializerOptions options);
    }

    /// <summary>The base of every generated converter: a JsonConverter that also makes its type's metadata (no reflection).</summary>
    internal abstract class KsefJsonConverter<T> : global::System.Text.Json.Serialization.JsonConverter<T>, IKsefJsonTypeInfoFactory
    {
        public global::System.Text.Json.Serialization.Metadata.JsonTypeInfo CreateTypeInfo(global::System.Text.Json.JsonSerializerOptions options) =>
            global::System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<T>(options, this);
    }

    /// <summary>The KsefJsonContext's table of converters by type.</summary>
    internal static class KsefJsonTypeInfos
    {
        public static global::System.Collections.Generic.Dictionary<global::System.Type, IKsefJsonTypeInfoFactory> Table(IKsefJsonTypeInfoFactory[] factories)
        {
            var table = new global::System.Collections.Generic.Dictionary<global::System.Type, IKsefJsonTypeInfoFactory>(factories.Length);
            foreach (var factory in factories) table[factory.Type!] = factory;
            return table;
        }
    }

    /// <summary>The JSON property names of one model, in the spec's spelling, and the name matching of its converter.</summary>
    internal sealed class KsefJsonNames
    {
        private readonly byte[][] _utf8;

        public KsefJsonNames(params string[] names)
        {
            Names = names;
            _utf8 = new byte[names.Length][];
            for (var i = 0; i < names.Length; i++) _utf8[i] = global::System.Text.Encoding.UTF8.GetBytes(names[i]);
        }

        public string[] Names { get; }

        // Moves the reader (inside an object) to the value of the next known property and returns its slot, or -1 at the
        // end of the object; unknown properties are skipped. Exact names first: one allocation-free ValueTextEquals each.
        // Only a name none of them matched, and only when the options ask for it (ASP.NET's web defaults do), goes to the
        // case-insensitive lookup; a slot filled by its exact name is not overwritten by a case-insensitive duplicate,
        // whichever comes first in the document.
        public int Next(ref global::System.Text.Json.Utf8JsonReader reader, scoped global::System.Span<bool> exact, global::System.Text.Json.JsonSerializerOptions options)
        {
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject)
            {
                var slot = -1;
                for (var i = 0; i < _utf8.Length; i++)
                {
                    if (reader.ValueTextEquals(_utf8[i]))
                    {
                        slot = i;
                        break;
                    }
                }
                if (slot >= 0) exact[slot] = true;
                else if (options.PropertyNameCaseInsensitive) slot = KsefJson.MatchNameIgnoringCase(ref reader, Names, exact);
                reader.Read();
                if (slot >= 0) return slot;
                reader.Skip();
            }
            return -1;
        }
    }

    /// <summary>Collection and primitive helpers for the generated converters.</summary>
    internal static class KsefJson
    {
        public static global::System.Collections.Generic.List<T>? ReadList<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options, KsefReadFunc<T> read)
        {
            if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null) return null;
            if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartArray) throw new global::System.Text.Json.JsonException("Expected a JSON array.");
            var list = new global::System.Collections.Generic.List<T>();
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndArray)
            {
                list.Add(read(ref reader, options));
            }
            return list;
        }

        public static global::System.Collections.Generic.Dictionary<string, T>? ReadMap<T>(ref global::System.Text.Json.Utf8JsonReader reader, global::System.Text.Json.JsonSerializerOptions options, KsefReadFunc<T> read)
        {
            if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null) return null;
            if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject) throw new global::System.Text.Json.JsonException("Expected a JSON object.");
            var map = new global::System.Collections.Generic.Dictionary<string, T>(global::System.StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != global::System.Text.Json.JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                map[key] = read(ref reader, options);
            }
            return map;
        }

        public static void WriteList<T>(global::System.Text.Json.Utf8JsonWriter writer, global::System.Collections.Generic.IReadOnlyList<T> list, global::System.Text.Json.JsonSerializerOptions options, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write)
        {
            writer.WriteStartArray();
            for (var i = 0; i < list.Count; i++) write(writer, list[i], options);
            writer.WriteEndArray();
        }

        public static void WriteMap<T>(global::System.Text.Json.Utf8JsonWriter writer, global::System.Collections.Generic.IReadOnlyDictionary<string, T> map, global::System.Text.Json.JsonSerializerOptions options, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write)
        {
            writer.WriteStartObject();
            foreach (var pair in map)
            {
                writer.WritePropertyName(pair.Key);
                write(writer, pair.Value, options);
            }
            writer.WriteEndObject();
        }

        // The fallback for a property name no exact UTF-8 comparison matched, taken only under PropertyNameCaseInsensitive
        // (ASP.NET's web defaults). With those options every unknown property comes here too, so the name is unescaped
        // into a stack buffer rather than a string.
        public static int MatchNameIgnoringCase(ref global::System.Text.Json.Utf8JsonReader reader, string[] names, scoped global::System.ReadOnlySpan<bool> exact)
        {
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            global::System.Span<char> buffer = stackalloc char[128];
            global::System.ReadOnlySpan<char> name = length <= buffer.Length
                ? buffer.Slice(0, reader.CopyString(buffer))
                : global::System.MemoryExtensions.AsSpan(reader.GetString());
            for (var i = 0; i < names.Length; i++)
            {
                if (global::System.MemoryExtensions.Equals(name, names[i], global::System.StringComparison.OrdinalIgnoreCase))
                {
                    // A slot its exact name already filled keeps that value.
                    return exact[i] ? -1 : i;
                }
            }
            return -1;
        }

        // A JSON null reads as null (OrNull) or as the type's default (OrDefault, for a required non-nullable property).
        public static int? Int32OrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetInt32();

        public static int Int32OrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetInt32();

        public static long? Int64OrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetInt64();

        public static long Int64OrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetInt64();

        public static double? DoubleOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDouble();

        public static double DoubleOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDouble();

        public static float? SingleOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetSingle();

        public static float SingleOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetSingle();

        public static decimal? DecimalOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDecimal();

        public static decimal DecimalOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDecimal();

        public static bool? BooleanOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetBoolean();

        public static bool BooleanOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetBoolean();

        public static global::System.DateTimeOffset? DateTimeOffsetOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : reader.GetDateTimeOffset();

        public static global::System.DateTimeOffset DateTimeOffsetOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : reader.GetDateTimeOffset();

        public static global::System.DateOnly? DateOrNull(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadDate(ref reader);

        public static global::System.DateOnly DateOrDefault(ref global::System.Text.Json.Utf8JsonReader reader) => reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? default : ReadDate(ref reader);

        public static global::System.DateOnly ReadDate(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            var text = reader.GetString()!;
            if (global::System.DateOnly.TryParseExact(text, "yyyy-MM-dd", global::System.Globalization.CultureInfo.InvariantCulture, global::System.Globalization.DateTimeStyles.None, out var date)) return date;
            throw new global::System.Text.Json.JsonException("'" + text + "' is not a date (yyyy-MM-dd).");
        }

        public static global::System.Uri ReadUri(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            var text = reader.GetString()!;
            if (global::System.Uri.TryCreate(text, global::System.UriKind.RelativeOrAbsolute, out var uri)) return uri;
            throw new global::System.Text.Json.JsonException("'" + text + "' is not a URI.");
        }

        public static global::System.Text.Json.JsonElement ReadAny(ref global::System.Text.Json.Utf8JsonReader reader)
        {
            using var document = global::System.Text.Json.JsonDocument.ParseValue(ref reader);
            return document.RootElement.Clone();
        }
    }
}
""";
}
