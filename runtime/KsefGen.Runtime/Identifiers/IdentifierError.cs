namespace KsefGen.Runtime;

/// <summary>Why a KSeF identifier (KSeF number, reference number, NIP) was rejected.</summary>
public enum IdentifierErrorKind
{
    /// <summary>The text is null or empty.</summary>
    Empty = 1,

    /// <summary>The text has the wrong number of characters.</summary>
    WrongLength,

    /// <summary>A character is not allowed where it stands (a missing hyphen, a non-digit, lower-case or non-hex letters, whitespace).</summary>
    BadFormat,

    /// <summary>The NIP part breaks the NIP rules (leading zero, "00" in positions 2–3, or a wrong check digit).</summary>
    BadNip,

    /// <summary>The date part is not a real calendar date, or lies before 2020 (the official patterns start at 2020).</summary>
    BadDate,

    /// <summary>The trailing CRC-8 checksum does not match the rest of the identifier.</summary>
    BadChecksum,
}

/// <summary>The reason an identifier did not parse: a kind to branch on and an English message to show or log.</summary>
public sealed class IdentifierError
{
    /// <summary>Creates an error.</summary>
    /// <param name="kind">What was wrong.</param>
    /// <param name="message">A human-readable explanation.</param>
    /// <param name="position">The zero-based index of the offending character, when one character is to blame.</param>
    public IdentifierError(IdentifierErrorKind kind, string message, int? position = null)
    {
        Kind = kind;
        Message = message;
        Position = position;
    }

    /// <summary>What was wrong.</summary>
    public IdentifierErrorKind Kind { get; }

    /// <summary>A human-readable English explanation, for example "expected 35 characters, got 34".</summary>
    public string Message { get; }

    /// <summary>The zero-based index of the offending character, when one character is to blame.</summary>
    public int? Position { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Message}";
}
