using System.Globalization;
using System.Text;

namespace KsefGen.Sandbox.Identifiers;

/// <summary>NIPs, reference numbers and KSeF numbers in the official formats, with valid checksums.</summary>
public static class KsefIdentifiers
{
    private static readonly int[] NipWeights = [6, 5, 7, 2, 3, 4, 5, 6, 7];

    /// <summary>CRC-8: polynomial 0x07, initial value 0x00, no reflection, no final XOR (the KSeF number checksum).</summary>
    public static byte Crc8(ReadOnlySpan<char> text)
    {
        byte crc = 0;
        foreach (var c in text)
        {
            crc ^= (byte)c;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x07) : (byte)(crc << 1);
            }
        }
        return crc;
    }

    /// <summary>True for a 10-digit NIP with a correct check digit.</summary>
    public static bool IsValidNip(string? nip)
    {
        if (nip is null || nip.Length != 10 || !nip.All(char.IsAsciiDigit) || nip[0] == '0') return false;
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (nip[i] - '0') * NipWeights[i];
        return sum % 11 == nip[9] - '0';
    }

    /// <summary>A valid NIP (check digit correct, not 10) drawn from <paramref name="random"/>.</summary>
    public static string NewNip(Random random)
    {
        while (true)
        {
            var digits = new char[10];
            digits[0] = (char)('1' + random.Next(9));
            for (var i = 1; i < 9; i++) digits[i] = (char)('0' + random.Next(10));
            var sum = 0;
            for (var i = 0; i < 9; i++) sum += (digits[i] - '0') * NipWeights[i];
            var check = sum % 11;
            if (check == 10) continue;
            digits[9] = (char)('0' + check);
            var nip = new string(digits);
            // The official pattern excludes "00" after the first digit in either of positions 2-3.
            if (nip[1] == '0' && nip[2] == '0') continue;
            return nip;
        }
    }

    /// <summary>
    /// A reference number "YYYYMMDD-TT-HHHHHHHHHH-HHHHHHHHHH-CC": date, type (SO online session, SB batch session,
    /// EE invoice, EU UPO page, AU authentication), 20 hex digits, and a CRC-8 of the first 33 characters.
    /// </summary>
    public static string NewReferenceNumber(DateTimeOffset date, string type, Random random)
    {
        var sb = new StringBuilder(36);
        sb.Append(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)).Append('-').Append(type).Append('-');
        AppendHex(sb, random, 10);
        sb.Append('-');
        AppendHex(sb, random, 10);
        sb.Append('-');
        sb.Append(Crc8(sb.ToString().AsSpan(0, 33)).ToString("X2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>True when the text has the reference-number shape (36 characters, date, type, hex groups).</summary>
    public static bool IsReferenceNumber(string? text)
    {
        if (text is null || text.Length != 36) return false;
        for (var i = 0; i < 36; i++)
        {
            var c = text[i];
            var ok = i switch
            {
                < 8 => char.IsAsciiDigit(c),
                8 or 11 or 22 or 33 => c == '-',
                9 or 10 => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c),
                _ => char.IsAsciiHexDigitUpper(c) || char.IsAsciiDigit(c),
            };
            if (!ok) return false;
        }
        return DateOnly.TryParseExact(text.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    /// <summary>A KSeF number "NIP-YYYYMMDD-XXXXXXXXXXXX-CC" (35 characters, CRC-8 over the first 32).</summary>
    public static string NewKsefNumber(string sellerNip, DateTimeOffset date, Random random)
    {
        var sb = new StringBuilder(35);
        sb.Append(sellerNip).Append('-').Append(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)).Append('-');
        AppendHex(sb, random, 12);
        sb.Append('-');
        sb.Append(Crc8(sb.ToString().AsSpan(0, 32)).ToString("X2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>True for a 35-character KSeF number whose checksum is right.</summary>
    public static bool IsValidKsefNumber(string? text) =>
        text is { Length: 35 } && IsValidNip(text[..10]) && text[10] == '-' && text[19] == '-' && text[32] == '-'
        && text[33..] == Crc8(text.AsSpan(0, 32)).ToString("X2", CultureInfo.InvariantCulture);

    private static void AppendHex(StringBuilder sb, Random random, int count)
    {
        const string hex = "0123456789ABCDEF";
        for (var i = 0; i < count; i++) sb.Append(hex[random.Next(16)]);
    }
}
