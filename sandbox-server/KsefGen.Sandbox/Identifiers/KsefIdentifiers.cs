using System.Globalization;
using System.Text;
using KsefGen.Runtime;

namespace KsefGen.Sandbox.Identifiers;

/// <summary>
/// New NIPs, reference numbers and KSeF numbers in the official formats, with valid checksums. Checking identifiers is the
/// runtime's job (KsefGen.Runtime.Nip, ReferenceNumber, KsefNumber, KsefChecksum): one implementation for both.
/// </summary>
internal static class KsefIdentifiers
{
    /// <summary>A valid NIP drawn from <paramref name="random"/> (the check digit and the "00" rule are the runtime's <see cref="Nip"/>).</summary>
    public static string NewNip(Random random)
    {
        var digits = new char[10];
        while (true)
        {
            digits[0] = (char)('1' + random.Next(9));
            for (var i = 1; i < 9; i++) digits[i] = (char)('0' + random.Next(10));
            // At most one check digit fits; none when the weighted sum gives 10 or positions 2-3 are "00": draw again.
            for (var check = 0; check < 10; check++)
            {
                digits[9] = (char)('0' + check);
                if (Nip.IsValid(digits)) return new string(digits);
            }
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
        sb.Append(KsefChecksum.Crc8(sb.ToString().AsSpan(0, 33)).ToString("X2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>A KSeF number "NIP-YYYYMMDD-XXXXXXXXXXXX-CC" (35 characters, CRC-8 over the first 32).</summary>
    public static string NewKsefNumber(string sellerNip, DateTimeOffset date, Random random)
    {
        var sb = new StringBuilder(35);
        sb.Append(sellerNip).Append('-').Append(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)).Append('-');
        AppendHex(sb, random, 12);
        sb.Append('-');
        sb.Append(KsefChecksum.Crc8(sb.ToString().AsSpan(0, 32)).ToString("X2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static void AppendHex(StringBuilder sb, Random random, int count)
    {
        const string hex = "0123456789ABCDEF";
        for (var i = 0; i < count; i++) sb.Append(hex[random.Next(16)]);
    }
}
