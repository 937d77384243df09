using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace KsefGen.Runtime;

/// <summary>
/// A KSeF number, the identifier KSeF gives an accepted invoice: <c>NIP-YYYYMMDD-HHHHHHHHHHHH-CC</c> (35 characters):
/// the seller's NIP, the date the invoice was accepted for processing, 12 upper-case hex digits, and a CRC-8
/// (<see cref="KsefChecksum.Crc8"/>) of the first 32 characters as two upper-case hex digits.
/// </summary>
/// <remarks>
/// The official pattern also admits a 36-character form with a hyphen inside the technical part
/// (<c>NIP-YYYYMMDD-HHHHHH-HHHHHH-CC</c>, KSeF 1.0 numbers). That form is accepted too, with the checksum taken over the
/// 33 characters before it (the same "everything before the final hyphen" rule); the documentation describes only the
/// 35-character form, so that rule for the old form is an assumption. The text is kept as given.
/// Equality is ordinal on the text. <c>default(KsefNumber)</c> is an empty value whose <see cref="Value"/> is "".
/// </remarks>
[JsonConverter(typeof(KsefNumberJsonConverter))]
public readonly struct KsefNumber : IEquatable<KsefNumber>, IParsable<KsefNumber>
{
    private const string What = "KSeF number";
    private readonly string? _value;
    private readonly DateOnly _date;

    private KsefNumber(string value, DateOnly date)
    {
        _value = value;
        _date = date;
    }

    /// <summary>The number as text, exactly as parsed ("" for <c>default</c>).</summary>
    public string Value => _value ?? "";

    /// <summary>True for <c>default(KsefNumber)</c>, which holds no number.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>The seller's NIP (the first ten digits).</summary>
    public string SellerNip => _value?[..10] ?? "";

    /// <summary>The date the invoice was accepted for processing.</summary>
    public DateOnly Date => _date;

    /// <summary>The 12 hex digits of the technical part, without any inner hyphen.</summary>
    public string TechnicalPart => _value is null ? "" : IsLegacyForm ? string.Concat(_value.AsSpan(20, 6), _value.AsSpan(27, 6)) : _value[20..32];

    /// <summary>The checksum byte (the last two hex digits).</summary>
    public byte Checksum => _value is null ? (byte)0 : Convert.ToByte(_value[^2..], 16);

    /// <summary>True for the 36-character form with a hyphen inside the technical part.</summary>
    public bool IsLegacyForm => _value?.Length == 36;

    /// <summary>Parses a KSeF number.</summary>
    /// <param name="text">The number.</param>
    /// <exception cref="FormatException">The text is not a valid KSeF number; the message says why.</exception>
    public static KsefNumber Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"Invalid {What} {IdentifierParsing.Quote(text)}: {error.Message}.");

    /// <summary>Parses a KSeF number, returning false instead of throwing.</summary>
    /// <param name="text">The number.</param>
    /// <param name="value">The parsed number, or <c>default</c>.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out KsefNumber value) => TryParse(text, out value, out _);

    /// <summary>Parses a KSeF number and, when it is invalid, says why.</summary>
    /// <param name="text">The number.</param>
    /// <param name="value">The parsed number, or <c>default</c>.</param>
    /// <param name="error">Null on success; otherwise the reason (wrong length, bad NIP, bad date, bad checksum, ...).</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out KsefNumber value, [NotNullWhen(false)] out IdentifierError? error)
    {
        value = default;
        error = Validate(text, out var date);
        if (error is not null) return false;
        value = new KsefNumber(text!, date);
        return true;
    }

    /// <summary>True when <paramref name="text"/> is a valid KSeF number.</summary>
    /// <param name="text">The text to check.</param>
    public static bool IsValid([NotNullWhen(true)] string? text) => Validate(text, out _) is null;

    private static IdentifierError? Validate(string? text, out DateOnly date)
    {
        date = default;
        var error = IdentifierParsing.CheckCommon(text, What, 35, 36);
        if (error is not null) return error;
        var s = text!;
        var legacy = s.Length == 36;
        error = IdentifierParsing.Digits(s, 0, 10, What, "NIP part")
            ?? IdentifierParsing.Hyphen(s, 10, What)
            ?? IdentifierParsing.Digits(s, 11, 8, What, "date part")
            ?? IdentifierParsing.Hyphen(s, 19, What)
            ?? (legacy
                ? IdentifierParsing.UpperHex(s, 20, 6, What, "technical part")
                    ?? IdentifierParsing.Hyphen(s, 26, What)
                    ?? IdentifierParsing.UpperHex(s, 27, 6, What, "technical part")
                : IdentifierParsing.UpperHex(s, 20, 12, What, "technical part"))
            ?? IdentifierParsing.Hyphen(s, s.Length - 3, What)
            ?? IdentifierParsing.UpperHex(s, s.Length - 2, 2, What, "checksum");
        if (error is not null) return error;
        if (Nip.Validate(s.AsSpan(0, 10)) is { } nipError)
        {
            return new IdentifierError(IdentifierErrorKind.BadNip, $"the seller NIP part is invalid: {nipError.Message}", nipError.Position);
        }
        return IdentifierParsing.Date(s, 11, What, out date)
            ?? IdentifierParsing.Checksum(s, s.Length - 3, What, out _);
    }

    /// <inheritdoc />
    public bool Equals(KsefNumber other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is KsefNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The number as text ("" for <c>default</c>).</summary>
    public override string ToString() => Value;

    /// <summary>Ordinal equality of the text.</summary>
    public static bool operator ==(KsefNumber left, KsefNumber right) => left.Equals(right);

    /// <summary>Ordinal inequality of the text.</summary>
    public static bool operator !=(KsefNumber left, KsefNumber right) => !left.Equals(right);

    static KsefNumber IParsable<KsefNumber>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<KsefNumber>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out KsefNumber result) => TryParse(s, out result);
}
