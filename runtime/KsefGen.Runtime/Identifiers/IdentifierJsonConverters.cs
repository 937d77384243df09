using System.Text.Json;
using System.Text.Json.Serialization;

namespace KsefGen.Runtime;

/// <summary>Reads and writes a <see cref="KsefNumber"/> as a JSON string (also as a dictionary key); invalid numbers fail with the reason.</summary>
public sealed class KsefNumberJsonConverter : JsonConverter<KsefNumber>
{
    /// <inheritdoc />
    public override KsefNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Convert(IdentifierJson.ReadString(ref reader, "KSeF number"));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, KsefNumber value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);

    /// <inheritdoc />
    public override KsefNumber ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Convert(reader.GetString());

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, KsefNumber value, JsonSerializerOptions options) => writer.WritePropertyName(value.Value);

    private static KsefNumber Convert(string? text) =>
        KsefNumber.TryParse(text, out var value, out var error) ? value
            : throw new JsonException($"Invalid KSeF number {IdentifierParsing.Quote(text)}: {error.Message}.");
}

/// <summary>Reads and writes a <see cref="ReferenceNumber"/> as a JSON string (also as a dictionary key); invalid numbers fail with the reason.</summary>
public sealed class ReferenceNumberJsonConverter : JsonConverter<ReferenceNumber>
{
    /// <inheritdoc />
    public override ReferenceNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Convert(IdentifierJson.ReadString(ref reader, "reference number"));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ReferenceNumber value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);

    /// <inheritdoc />
    public override ReferenceNumber ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Convert(reader.GetString());

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, ReferenceNumber value, JsonSerializerOptions options) => writer.WritePropertyName(value.Value);

    private static ReferenceNumber Convert(string? text) =>
        ReferenceNumber.TryParse(text, out var value, out var error) ? value
            : throw new JsonException($"Invalid reference number {IdentifierParsing.Quote(text)}: {error.Message}.");
}

internal static class IdentifierJson
{
    public static string? ReadString(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()
            : throw new JsonException($"A {what} is a JSON string, got {reader.TokenType}.");
}
