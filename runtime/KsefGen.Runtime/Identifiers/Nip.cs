using System.Diagnostics.CodeAnalysis;

namespace KsefGen.Runtime;

/// <summary>
/// The Polish tax identifier (NIP): ten digits, the last a check digit (weights 6, 5, 7, 2, 3, 4, 5, 6, 7, sum modulo 11).
/// KSeF also requires the first digit to be non-zero and positions 2–3 not to be "00" (the official <c>Nip</c> pattern).
/// </summary>
public static class Nip
{
    private static readonly int[] Weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];

    /// <summary>True when <paramref name="nip"/> is a valid NIP.</summary>
    /// <param name="nip">Ten digits, no separators.</param>
    public static bool IsValid([NotNullWhen(true)] string? nip) => nip is not null && Validate(nip) is null;

    /// <summary>True when <paramref name="nip"/> is a valid NIP.</summary>
    /// <param name="nip">Ten digits, no separators.</param>
    public static bool IsValid(ReadOnlySpan<char> nip) => Validate(nip) is null;

    /// <summary>Explains why <paramref name="nip"/> is not a valid NIP; null when it is valid.</summary>
    /// <param name="nip">Ten digits, no separators.</param>
    public static IdentifierError? Validate(ReadOnlySpan<char> nip)
    {
        if (nip.IsEmpty) return new IdentifierError(IdentifierErrorKind.Empty, "the NIP is empty");
        if (nip.Length != 10) return new IdentifierError(IdentifierErrorKind.WrongLength, $"a NIP has 10 digits, got {nip.Length} characters");
        for (var i = 0; i < nip.Length; i++)
        {
            if (!char.IsAsciiDigit(nip[i])) return new IdentifierError(IdentifierErrorKind.BadFormat, $"a NIP has only digits; '{nip[i]}' at position {i + 1}", i);
        }
        if (nip[0] == '0') return new IdentifierError(IdentifierErrorKind.BadNip, "a NIP cannot start with 0", 0);
        if (nip[1] == '0' && nip[2] == '0') return new IdentifierError(IdentifierErrorKind.BadNip, "a NIP cannot have \"00\" in positions 2-3", 1);
        var expected = CheckDigit(nip);
        if (expected == 10) return new IdentifierError(IdentifierErrorKind.BadNip, "the first nine digits give check value 10, which no NIP can have", 9);
        if (nip[9] - '0' != expected)
        {
            return new IdentifierError(IdentifierErrorKind.BadNip, $"wrong NIP check digit: expected {expected}, got {nip[9]}", 9);
        }
        return null;
    }

    /// <summary>The check digit of the first nine digits (10 means no valid NIP starts with them).</summary>
    private static int CheckDigit(ReadOnlySpan<char> nip)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (nip[i] - '0') * Weights[i];
        return sum % 11;
    }
}
