using System.Globalization;

namespace KsefGen.Runtime;

/// <summary>Character-level checks shared by the identifier parsers; each returns null when the part is fine.</summary>
internal static class IdentifierParsing
{
    public static IdentifierError? CheckCommon(string? text, string what, int minLength, int maxLength)
    {
        if (string.IsNullOrEmpty(text)) return new IdentifierError(IdentifierErrorKind.Empty, $"the {what} is empty");
        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return new IdentifierError(IdentifierErrorKind.BadFormat, $"the {what} has leading or trailing whitespace",
                char.IsWhiteSpace(text[0]) ? 0 : text.Length - 1);
        }
        if (text.Length < minLength || text.Length > maxLength)
        {
            var expected = minLength == maxLength ? $"{minLength}" : $"{minLength} or {maxLength}";
            return new IdentifierError(IdentifierErrorKind.WrongLength, $"a {what} has {expected} characters, got {text.Length}");
        }
        return null;
    }

    public static IdentifierError? Hyphen(string text, int index, string what) =>
        text[index] == '-' ? null
            : new IdentifierError(IdentifierErrorKind.BadFormat, $"a {what} has '-' at position {index + 1}, got '{text[index]}'", index);

    public static IdentifierError? Digits(string text, int start, int count, string what, string part)
    {
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return new IdentifierError(IdentifierErrorKind.BadFormat, $"the {part} of a {what} is digits only; '{text[i]}' at position {i + 1}", i);
            }
        }
        return null;
    }

    public static IdentifierError? UpperHex(string text, int start, int count, string what, string part)
    {
        for (var i = start; i < start + count; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c) || c is >= 'A' and <= 'F') continue;
            var hint = c is >= 'a' and <= 'f' ? " (hex letters must be upper-case)" : "";
            return new IdentifierError(IdentifierErrorKind.BadFormat, $"the {part} of a {what} is upper-case hex; '{c}' at position {i + 1}{hint}", i);
        }
        return null;
    }

    public static IdentifierError? Date(string text, int start, string what, out DateOnly date)
    {
        if (!DateOnly.TryParseExact(text.AsSpan(start, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return new IdentifierError(IdentifierErrorKind.BadDate, $"'{text.Substring(start, 8)}' in a {what} is not a valid yyyyMMdd date", start);
        }
        if (date.Year < 2020)
        {
            return new IdentifierError(IdentifierErrorKind.BadDate, $"the date {date:yyyy-MM-dd} in a {what} is before 2020, which KSeF never issues", start);
        }
        return null;
    }

    public static IdentifierError? Checksum(string text, int dataLength, string what, out byte checksum)
    {
        if (KsefChecksum.Matches(text.AsSpan(0, dataLength), text.AsSpan(text.Length - 2), out checksum)) return null;
        return new IdentifierError(IdentifierErrorKind.BadChecksum,
            $"wrong {what} checksum: the first {dataLength} characters give {checksum:X2}, the number ends in {text[^2..]}", text.Length - 2);
    }

    /// <summary>The value for an error message: short values as they are, long ones cut.</summary>
    public static string Quote(string? text) => text is null ? "null" : text.Length <= 64 ? $"'{text}'" : $"'{text[..61]}...'";
}
