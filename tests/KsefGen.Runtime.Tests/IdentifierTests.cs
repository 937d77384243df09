using System.Text.Json;

namespace KsefGen.Runtime.Tests;

public sealed class KsefNumberTests
{
    private const string Official = "5265877635-20250826-0100001AF629-AF";

    [Fact]
    public void OfficialExampleParsesIntoItsParts()
    {
        var number = KsefNumber.Parse(Official);
        Assert.Equal(Official, number.Value);
        Assert.Equal(Official, number.ToString());
        Assert.Equal("5265877635", number.SellerNip);
        Assert.Equal(new DateOnly(2025, 8, 26), number.Date);
        Assert.Equal("0100001AF629", number.TechnicalPart);
        Assert.Equal(0xAF, number.Checksum);
        Assert.False(number.IsLegacyForm);
        Assert.False(number.IsEmpty);
    }

    [Theory]
    [InlineData("5265877635-20250626-010080DD2B5E-26")]
    [InlineData("5265877635-20250916-0100C002FF3E-D5")]
    [InlineData("5265877635-20250916-02000009FF3E-FB")]
    [InlineData("5555555555-20250828-010080615740-E4")]
    public void OtherOfficialNumbersParse(string text) => Assert.True(KsefNumber.TryParse(text, out _));

    [Fact]
    public void ChecksumIsCrc8OverTheFirst32Characters()
    {
        Assert.Equal(0xAF, KsefChecksum.Crc8(Official.AsSpan(0, 32)));
        // Every single-character change of the data part changes the checksum (CRC-8 catches all single-bit and many more errors).
        for (var i = 20; i < 32; i++)
        {
            var changed = Official.ToCharArray();
            changed[i] = changed[i] == 'A' ? 'B' : 'A';
            Assert.NotEqual(0xAF, KsefChecksum.Crc8(new string(changed).AsSpan(0, 32)));
        }
    }

    [Theory]
    [InlineData(null, IdentifierErrorKind.Empty)]
    [InlineData("", IdentifierErrorKind.Empty)]
    [InlineData("5265877635-20250826-0100001AF629-A", IdentifierErrorKind.WrongLength)]
    [InlineData("5265877635-20250826-0100001AF629-AFF0", IdentifierErrorKind.WrongLength)]
    [InlineData(" 5265877635-20250826-0100001AF629-A", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877635-20250826-0100001AF629-AF ", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877635_20250826-0100001AF629-AF", IdentifierErrorKind.BadFormat)]
    [InlineData("526587763X-20250826-0100001AF629-AF", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877635-20250826-0100001af629-AF", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877635-20250826-0100001GF629-AF", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877635-2025O826-0100001AF629-AF", IdentifierErrorKind.BadFormat)]
    [InlineData("5265877636-20250826-0100001AF629-AF", IdentifierErrorKind.BadNip)]
    [InlineData("0265877635-20250826-0100001AF629-AF", IdentifierErrorKind.BadNip)]
    [InlineData("5265877635-20251326-0100001AF629-AF", IdentifierErrorKind.BadDate)]
    [InlineData("5265877635-20250230-0100001AF629-AF", IdentifierErrorKind.BadDate)]
    [InlineData("5265877635-20190826-0100001AF629-AF", IdentifierErrorKind.BadDate)]
    [InlineData("5265877635-20250826-0100001AF629-AE", IdentifierErrorKind.BadChecksum)]
    [InlineData("5265877635-20250826-0100001AF628-AF", IdentifierErrorKind.BadChecksum)]
    public void InvalidNumbersSayWhy(string? text, IdentifierErrorKind kind)
    {
        Assert.False(KsefNumber.TryParse(text, out var value, out var error));
        Assert.Equal(default, value);
        Assert.Equal(kind, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.False(KsefNumber.IsValid(text));
        Assert.False(KsefNumber.TryParse(text, out _));
    }

    [Fact]
    public void ParseThrowsFormatExceptionWithTheReason()
    {
        var e = Assert.Throws<FormatException>(() => KsefNumber.Parse("5265877635-20250826-0100001AF629-AE"));
        Assert.Contains("checksum", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("AF", e.Message, StringComparison.Ordinal);

        var nip = Assert.Throws<FormatException>(() => KsefNumber.Parse("5265877636-20250826-0100001AF629-AF"));
        Assert.Contains("check digit", nip.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsPointAtTheOffendingCharacter()
    {
        Assert.False(KsefNumber.TryParse("5265877635-20250826-0100001aF629-AF", out _, out var error));
        Assert.Equal(27, error.Position);
        Assert.Contains("upper-case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The36CharacterFormWithAHyphenInTheTechnicalPartIsAccepted()
    {
        var data = "5265877635-20230101-0100C0-02FF3E";
        var text = data + "-" + KsefChecksum.Crc8(data).ToString("X2");
        var number = KsefNumber.Parse(text);
        Assert.True(number.IsLegacyForm);
        Assert.Equal("0100C002FF3E", number.TechnicalPart);
        Assert.Equal(text, number.Value);
        Assert.Equal(new DateOnly(2023, 1, 1), number.Date);

        Assert.False(KsefNumber.TryParse(data + "-00", out _, out var error));
        Assert.Equal(KsefGen.Runtime.IdentifierErrorKind.BadChecksum, error.Kind);
        Assert.False(KsefNumber.TryParse("5265877635-20230101-0100C0X02FF3E-" + KsefChecksum.Crc8(data).ToString("X2"), out _, out error));
        Assert.Equal(KsefGen.Runtime.IdentifierErrorKind.BadFormat, error.Kind);
    }

    [Fact]
    public void EqualityIsByValue()
    {
        var a = KsefNumber.Parse(Official);
        var b = KsefNumber.Parse(new string(Official.ToCharArray()));
        var c = KsefNumber.Parse("5265877635-20250626-010080DD2B5E-26");
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.True(a != c);
        Assert.False(a.Equals((object)Official));
        Assert.Single(new HashSet<KsefNumber> { a, b });
    }

    [Fact]
    public void DefaultIsEmpty()
    {
        var empty = default(KsefNumber);
        Assert.True(empty.IsEmpty);
        Assert.Equal("", empty.Value);
        Assert.Equal("", empty.ToString());
        Assert.Equal("", empty.SellerNip);
        Assert.Equal("", empty.TechnicalPart);
        Assert.Equal(0, empty.GetHashCode());
        Assert.NotEqual(KsefNumber.Parse(Official), empty);
    }

    [Fact]
    public void GenericParsingGoesThroughIParsable()
    {
        static T ParseAny<T>(string s) where T : IParsable<T> => T.Parse(s, null);
        Assert.Equal(KsefNumber.Parse(Official), ParseAny<KsefNumber>(Official));
        Assert.Throws<FormatException>(() => ParseAny<KsefNumber>("nope"));
    }

    private sealed record Dto(KsefNumber Number, KsefNumber? Optional, Dictionary<KsefNumber, int>? ByNumber);

    [Fact]
    public void JsonRoundTripsAsAString()
    {
        var dto = new Dto(KsefNumber.Parse(Official), null, new() { [KsefNumber.Parse(Official)] = 3 });
        var json = JsonSerializer.Serialize(dto);
        Assert.Contains($"\"Number\":\"{Official}\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"{Official}\":3", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<Dto>(json)!;
        Assert.Equal(dto.Number, back.Number);
        Assert.Null(back.Optional);
        Assert.Equal(3, back.ByNumber![dto.Number]);
    }

    [Theory]
    [InlineData("""{"Number":"5265877635-20250826-0100001AF629-AE"}""", "checksum")]
    [InlineData("""{"Number":42}""", "JSON string")]
    [InlineData("""{"Number":null}""", "JSON string")]
    [InlineData("""{"Number":"5265877635-20250826-0100001AF629-AF","ByNumber":{"x":1}}""", "Invalid KSeF number")]
    public void JsonRejectsInvalidNumbersWithTheReason(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dto>(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

public sealed class ReferenceNumberTests
{
    private const string Official = "20250626-SO-2F14610000-242991F8C9-B4";

    [Fact]
    public void OfficialExampleParsesIntoItsParts()
    {
        var number = ReferenceNumber.Parse(Official);
        Assert.Equal(Official, number.ToString());
        Assert.Equal(new DateOnly(2025, 6, 26), number.Date);
        Assert.Equal("SO", number.TypeCode);
        Assert.Equal(0xB4, number.Checksum);
        Assert.Equal(KsefChecksum.Crc8(Official.AsSpan(0, 33)), number.Checksum);
    }

    [Theory]
    [InlineData("20250514-AU-2DFC46C000-3AC6D5877F-D4")]
    [InlineData("20250626-EE-2F15D39000-242207E5C4-1B")]
    [InlineData("20250626-EU-2EBD6FA000-242EB9B66D-43")]
    [InlineData("20250626-SB-213D593000-4DE10D80A5-E9")]
    [InlineData("20251001-EC-220B0CE000-E228129563-96")]
    public void OtherOfficialNumbersParse(string text) => Assert.True(ReferenceNumber.IsValid(text));

    [Theory]
    [InlineData(null, IdentifierErrorKind.Empty)]
    [InlineData("20250626-SO-2F14610000-242991F8C9-B", IdentifierErrorKind.WrongLength)]
    [InlineData("5265877635-20250826-0100001AF629-AF", IdentifierErrorKind.WrongLength)]
    [InlineData("20250626_SO-2F14610000-242991F8C9-B4", IdentifierErrorKind.BadFormat)]
    [InlineData("20250626-so-2F14610000-242991F8C9-B4", IdentifierErrorKind.BadFormat)]
    [InlineData("20250626-SO-2F1461000G-242991F8C9-B4", IdentifierErrorKind.BadFormat)]
    [InlineData("20250626-SO-2F14610000-242991f8C9-B4", IdentifierErrorKind.BadFormat)]
    [InlineData("20251326-SO-2F14610000-242991F8C9-B4", IdentifierErrorKind.BadDate)]
    [InlineData("20190626-SO-2F14610000-242991F8C9-B4", IdentifierErrorKind.BadDate)]
    // The brief's example: one off from the real checksum of the official example (B4).
    [InlineData("20250626-SO-2F14610000-242991F8C9-B3", IdentifierErrorKind.BadChecksum)]
    // Official sample UPO: a hand-edited token reference whose checksum no longer fits.
    [InlineData("20250819-EC-1ECDD12000-5EE71AE5E3-B7", IdentifierErrorKind.BadChecksum)]
    public void InvalidNumbersSayWhy(string? text, IdentifierErrorKind kind)
    {
        Assert.False(ReferenceNumber.TryParse(text, out _, out var error));
        Assert.Equal(kind, error.Kind);
        Assert.Throws<FormatException>(() => ReferenceNumber.Parse(text!));
    }

    [Fact]
    public void EqualityAndDefault()
    {
        Assert.Equal(ReferenceNumber.Parse(Official), ReferenceNumber.Parse(Official));
        Assert.NotEqual(ReferenceNumber.Parse(Official), ReferenceNumber.Parse("20250626-EE-2F15D39000-242207E5C4-1B"));
        Assert.True(default(ReferenceNumber).IsEmpty);
        Assert.Equal("", default(ReferenceNumber).TypeCode);
    }

    private sealed record Dto(ReferenceNumber Reference, ReferenceNumber? Other);

    [Fact]
    public void JsonRoundTripsAndRejectsWithTheReason()
    {
        var json = JsonSerializer.Serialize(new Dto(ReferenceNumber.Parse(Official), null));
        Assert.Equal($$"""{"Reference":"{{Official}}","Other":null}""", json);
        Assert.Equal(ReferenceNumber.Parse(Official), JsonSerializer.Deserialize<Dto>(json)!.Reference);

        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dto>("""{"Reference":"20250626-SO-2F14610000-242991F8C9-B3"}"""));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }
}

public sealed class NipTests
{
    [Theory]
    [InlineData("5265877635")]
    [InlineData("5555555555")]
    [InlineData("1234563218")]
    public void ValidNips(string nip)
    {
        Assert.True(Nip.IsValid(nip));
        Assert.True(Nip.IsValid(nip.AsSpan()));
        Assert.Null(Nip.Validate(nip));
    }

    [Theory]
    [InlineData(null, IdentifierErrorKind.Empty)]
    [InlineData("526587763", IdentifierErrorKind.WrongLength)]
    [InlineData("526-587-76-35", IdentifierErrorKind.WrongLength)]
    [InlineData("526587763A", IdentifierErrorKind.BadFormat)]
    [InlineData("0265877635", IdentifierErrorKind.BadNip)]
    [InlineData("1005877635", IdentifierErrorKind.BadNip)]
    [InlineData("5265877636", IdentifierErrorKind.BadNip)]
    public void InvalidNips(string? nip, IdentifierErrorKind kind)
    {
        Assert.False(Nip.IsValid(nip));
        Assert.Equal(kind, Nip.Validate(nip)!.Kind);
    }

    [Fact]
    public void CheckValueTenIsNeverValid()
    {
        // Nine digits whose weighted sum is 10 modulo 11 admit no check digit at all.
        var prefix = Enumerable.Range(123456000, 1000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .First(p => p[1..3] != "00" && p.Select((c, i) => (c - '0') * new[] { 6, 5, 7, 2, 3, 4, 5, 6, 7 }[i]).Sum() % 11 == 10);
        for (var last = 0; last <= 9; last++) Assert.False(Nip.IsValid(prefix + last));
        Assert.Contains("10", Nip.Validate(prefix + "0")!.Message, StringComparison.Ordinal);
    }
}
