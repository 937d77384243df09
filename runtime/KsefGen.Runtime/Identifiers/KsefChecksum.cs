namespace KsefGen.Runtime;

/// <summary>The CRC-8 checksum that ends KSeF numbers and reference numbers.</summary>
public static class KsefChecksum
{
    /// <summary>
    /// CRC-8 with polynomial 0x07, initial value 0x00, no reflection and no final XOR, over the characters taken as bytes
    /// (the identifiers are ASCII).
    /// </summary>
    /// <param name="text">The characters to checksum, for example the first 32 characters of a KSeF number.</param>
    /// <returns>The checksum; identifiers carry it as two upper-case hex digits.</returns>
    public static byte Crc8(ReadOnlySpan<char> text)
    {
        byte crc = 0;
        foreach (var c in text)
        {
            crc ^= unchecked((byte)c);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? unchecked((byte)((crc << 1) ^ 0x07)) : unchecked((byte)(crc << 1));
            }
        }
        return crc;
    }

    /// <summary>Checks a two-character upper-case hex checksum against <see cref="Crc8"/> of <paramref name="data"/>.</summary>
    internal static bool Matches(ReadOnlySpan<char> data, ReadOnlySpan<char> checksum, out byte expected)
    {
        expected = Crc8(data);
        return checksum.Length == 2 && checksum[0] == HexDigit(expected >> 4) && checksum[1] == HexDigit(expected & 0xF);
    }

    internal static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
}
