using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>
/// <c>format: date-time</c> as JSON Schema defines it (RFC 3339 date-time): a full date, 'T', a full time and a
/// mandatory offset ('Z' or ±hh:mm), every field in range. NJsonSchema's own check also passes "2026" or "2026-11",
/// which would hide a real mistake; values without an offset are ambiguous on the wire and fail here too.
/// </summary>
internal sealed partial class Rfc3339DateTimeFormat : IFormatValidator
{
    public string Format => JsonFormatStrings.DateTime;

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.DateTimeExpected;

    public bool IsValid(string value, JTokenType tokenType)
    {
        var m = Pattern().Match(value);
        if (!m.Success) return false;
        int Part(string name) => int.Parse(m.Groups[name].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        var (year, month, day) = (Part("y"), Part("mo"), Part("d"));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        // RFC 3339 allows a leap second (60).
        if (Part("h") > 23 || Part("mi") > 59 || Part("s") > 60) return false;
        return !m.Groups["oh"].Success || (Part("oh") <= 23 && Part("om") <= 59);
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[Tt](?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(\.\d+)?([Zz]|[+-](?<oh>\d{2}):(?<om>\d{2}))$")]
    private static partial Regex Pattern();
}

/// <summary>
/// <c>format: byte</c>: canonical Base64 (RFC 4648 alphabet, padded, no whitespace). NJsonSchema's own check accepts
/// up to three '=' and does not decode.
/// </summary>
internal sealed partial class StrictBase64Format : IFormatValidator
{
    public string Format => JsonFormatStrings.Byte;

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.Base64Expected;

    public bool IsValid(string value, JTokenType tokenType) =>
        value.Length % 4 == 0
        && Pattern().IsMatch(value)
        && Convert.TryFromBase64String(value, new byte[value.Length / 4 * 3], out _);

    [GeneratedRegex(@"^[A-Za-z0-9+/]*={0,2}$")]
    private static partial Regex Pattern();
}

/// <summary>A contract rule NJsonSchema has no kind for (undeclared property, integer out of its format's range).</summary>
internal sealed class ContractSchemaError(string kind, string detail, string? propertyName, string? propertyPath, JToken token, JsonSchema schema)
    : ValidationError(ValidationErrorKind.Unknown, propertyName, propertyPath, token, schema)
{
    public string ContractKind { get; } = kind;

    public string Detail { get; } = detail;
}

/// <summary>
/// NJsonSchema's validator with the OpenAPI 3.0 reading everywhere: its allOf/anyOf/oneOf branches are validated as
/// plain JSON Schema otherwise, which loses <c>nullable</c>. Adds two checks the library leaves out: integers within
/// the range of <c>format: int32/int64</c>, and (optionally) no properties the schema does not declare.
/// </summary>
internal sealed class OpenApi3SchemaValidator(JsonSchemaValidatorSettings settings, bool reportUndeclaredProperties, IReadOnlySet<JsonSchema> composedMembers)
    : JsonSchemaValidator(settings)
{
    private static readonly BigInteger Int32Min = int.MinValue, Int32Max = int.MaxValue, Int64Min = long.MinValue, Int64Max = long.MaxValue;

    /// <summary>Strict date-time and byte in place of the library's lenient ones; every other format as shipped.</summary>
    public static JsonSchemaValidatorSettings StrictSettings()
    {
        var settings = new JsonSchemaValidatorSettings();
        settings.FormatValidators = settings.FormatValidators
            .Where(f => f.Format != JsonFormatStrings.DateTime && f.Format != JsonFormatStrings.Byte)
            .Append(new Rfc3339DateTimeFormat())
            .Append(new StrictBase64Format())
            .ToArray();
        return settings;
    }

    protected override ICollection<ValidationError> Validate(JToken token, JsonSchema schema, SchemaType schemaType, string? propertyName, string propertyPath)
    {
        // NJsonSchema throws on an integer beyond 64 bits (it cannot compare a BigInteger with minimum/maximum), so it
        // gets the nearest 64-bit value: same type and same side of any bound the spec uses; the range check below
        // sees the real value.
        var checkedToken = token is JValue { Value: BigInteger big } ? new JValue(big.Sign < 0 ? long.MinValue : long.MaxValue) : token;
        var errors = base.Validate(checkedToken, schema, SchemaType.OpenApi3, propertyName, propertyPath);

        if (token.Type == JTokenType.Integer && schema.Format is JsonFormatStrings.Integer or JsonFormatStrings.Long)
        {
            var value = token.ToObject<BigInteger>();
            var (min, max) = schema.Format == JsonFormatStrings.Integer ? (Int32Min, Int32Max) : (Int64Min, Int64Max);
            if (value < min || value > max)
            {
                errors.Add(new ContractSchemaError("IntegerOutOfFormatRange", $"{value} does not fit {schema.Format}", propertyName, propertyPath, token, schema));
            }
        }

        if (reportUndeclaredProperties && token is JObject obj && IsClosedObject(schema))
        {
            foreach (var property in obj.Properties().Where(p => !schema.Properties.ContainsKey(p.Name)))
            {
                var path = string.IsNullOrEmpty(propertyPath) ? property.Name : propertyPath + "." + property.Name;
                errors.Add(new ContractSchemaError("UndeclaredProperty", $"'{property.Name}' is not a property of this schema", property.Name, path, property.Value, schema));
            }
        }
        return errors;
    }

    /// <summary>
    /// Whether every property of an object of this schema must be declared by the schema itself: it declares
    /// properties, says nothing about additional ones, and is not part of a composition that spreads properties over
    /// several schemas (those are left open, since no single member knows them all).
    /// </summary>
    private bool IsClosedObject(JsonSchema schema) =>
        schema.Properties.Count > 0
        && schema.AllowAdditionalProperties
        && schema.AdditionalPropertiesSchema is null
        && schema.PatternProperties.Count == 0
        && schema.AllOf.Count == 0 && schema.AnyOf.Count == 0 && schema.OneOf.Count == 0
        && !composedMembers.Contains(schema);
}
