using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace KsefGen.Runtime;

/// <summary>
/// A KSeF reference number (sessions, invoices in a session, UPO pages, authentication operations, ...):
/// <c>YYYYMMDD-TT-HHHHHHHHHH-HHHHHHHHHH-CC</c> (36 characters): a date, a two-character type code
/// (upper-case letters or digits, for example <c>SO</c> for an online session), two groups of ten upper-case hex
/// digits, and a CRC-8 (<see cref="KsefChecksum.Crc8"/>) of the first 33 characters as two upper-case hex digits.
/// </summary>
/// <remarks>
/// The layout is the official UPO XSD pattern. The checksum rule is not documented: it is the KSeF-number rule, and
/// every unedited reference number in the official documentation satisfies it (the ones that do not were visibly
/// edited by hand, such as the scrambled numbers in the sample UPOs). Equality is ordinal on the text.
/// <c>default(ReferenceNumber)</c> is an empty value whose <see cref="Value"/> is "".
/// </remarks>
[JsonConverter(typeof(ReferenceNumberJsonConverter))]
public readonly struct ReferenceNumber : IEquatable<ReferenceNumber>, IParsable<ReferenceNumber>
{
    private const string What = "reference number";
    private readonly string? _value;
    private readonly DateOnly _date;

    private ReferenceNumber(string value, DateOnly date)
    {
        _value = value;
        _date = date;
    }

    /// <summary>The number as text ("" for <c>default</c>).</summary>
    public string Value => _value ?? "";

    /// <summary>True for <c>default(ReferenceNumber)</c>, which holds no number.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>The date part.</summary>
    public DateOnly Date => _date;

    /// <summary>
    /// The two-character type code. Seen in official examples: <c>SO</c> online session, <c>SB</c> batch session,
    /// <c>EE</c> invoice in a session, <c>EU</c> UPO page, <c>AU</c> authentication, <c>CR</c> challenge,
    /// <c>EC</c> KSeF token; the meanings are not documented.
    /// </summary>
    public string TypeCode => _value?[9..11] ?? "";

    /// <summary>The checksum byte (the last two hex digits).</summary>
    public byte Checksum => _value is null ? (byte)0 : Convert.ToByte(_value[^2..], 16);

    /// <summary>Parses a reference number.</summary>
    /// <param name="text">The number.</param>
    /// <exception cref="FormatException">The text is not a valid reference number; the message says why.</exception>
    public static ReferenceNumber Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"Invalid {What} {IdentifierParsing.Quote(text)}: {error.Message}.");

    /// <summary>Parses a reference number, returning false instead of throwing.</summary>
    /// <param name="text">The number.</param>
    /// <param name="value">The parsed number, or <c>default</c>.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out ReferenceNumber value) => TryParse(text, out value, out _);

    /// <summary>Parses a reference number and, when it is invalid, says why.</summary>
    /// <param name="text">The number.</param>
    /// <param name="value">The parsed number, or <c>default</c>.</param>
    /// <param name="error">Null on success; otherwise the reason (wrong length, bad date, bad checksum, ...).</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out ReferenceNumber value, [NotNullWhen(false)] out IdentifierError? error)
    {
        value = default;
        error = Validate(text, out var date);
        if (error is not null) return false;
        value = new ReferenceNumber(text!, date);
        return true;
    }

    /// <summary>True when <paramref name="text"/> is a valid reference number.</summary>
    /// <param name="text">The text to check.</param>
    public static bool IsValid([NotNullWhen(true)] string? text) => Validate(text, out _) is null;

    private static IdentifierError? Validate(string? text, out DateOnly date)
    {
        date = default;
        var error = IdentifierParsing.CheckCommon(text, What, 36, 36);
        if (error is not null) return error;
        var s = text!;
        error = IdentifierParsing.Digits(s, 0, 8, What, "date part")
            ?? IdentifierParsing.Hyphen(s, 8, What)
            ?? TypeCodeError(s)
            ?? IdentifierParsing.Hyphen(s, 11, What)
            ?? IdentifierParsing.UpperHex(s, 12, 10, What, "first hex group")
            ?? IdentifierParsing.Hyphen(s, 22, What)
            ?? IdentifierParsing.UpperHex(s, 23, 10, What, "second hex group")
            ?? IdentifierParsing.Hyphen(s, 33, What)
            ?? IdentifierParsing.UpperHex(s, 34, 2, What, "checksum");
        return error
            ?? IdentifierParsing.Date(s, 0, What, out date)
            ?? IdentifierParsing.Checksum(s, 33, What, out _);
    }

    private static IdentifierError? TypeCodeError(string s)
    {
        for (var i = 9; i <= 10; i++)
        {
            if (!char.IsAsciiDigit(s[i]) && !char.IsAsciiLetterUpper(s[i]))
            {
                return new IdentifierError(IdentifierErrorKind.BadFormat, $"the type code of a {What} is upper-case letters or digits; '{s[i]}' at position {i + 1}", i);
            }
        }
        return null;
    }

    /// <inheritdoc />
    public bool Equals(ReferenceNumber other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ReferenceNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The number as text ("" for <c>default</c>).</summary>
    public override string ToString() => Value;

    /// <summary>Ordinal equality of the text.</summary>
    public static bool operator ==(ReferenceNumber left, ReferenceNumber right) => left.Equals(right);

    /// <summary>Ordinal inequality of the text.</summary>
    public static bool operator !=(ReferenceNumber left, ReferenceNumber right) => !left.Equals(right);

    static ReferenceNumber IParsable<ReferenceNumber>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<ReferenceNumber>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ReferenceNumber result) => TryParse(s, out result);
}
