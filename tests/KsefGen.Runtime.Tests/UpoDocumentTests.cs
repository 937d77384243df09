using System.Text;
using System.Xml.Linq;
using KsefGen.Runtime.Upo;
using KsefGen.Sandbox.Upo;

namespace KsefGen.Runtime.Tests;

public sealed class UpoDocumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EveryOfficialSampleParses()
    {
        var samples = SharedSpec.SampleUpos().ToList();
        Assert.Equal(12, samples.Count);
        foreach (var (version, name, path) in samples)
        {
            var bytes = File.ReadAllBytes(path);
            var upo = UpoDocument.Parse(bytes);
            var text = Encoding.UTF8.GetString(bytes);

            Assert.Equal(version == "4-2" ? UpoSchemaVersion.V4_2 : UpoSchemaVersion.V4_3, upo.SchemaVersion);
            Assert.Equal($"http://upo.schematy.mf.gov.pl/KSeF/v{version}", upo.Namespace);
            Assert.Equal(name.StartsWith("upo-sesja", StringComparison.Ordinal), upo.IsSessionUpo);
            Assert.Equal(name.Contains("kontekst-id-nip", StringComparison.Ordinal) ? UpoContextType.Nip
                : name.Contains("internal-id", StringComparison.Ordinal) ? UpoContextType.InternalId : UpoContextType.NipVatUe, upo.Context.Type);
            Assert.Equal(CountOf(text, "<Dokument>"), upo.Documents.Count);
            Assert.StartsWith("Ministerstwo Finansów", upo.ReceivingEntityName, StringComparison.Ordinal);
            Assert.Equal("FA (3)", upo.FormCode);
            Assert.False(upo.HasSignature);
            Assert.True((upo.KsefTokenReferenceNumber is null) != (upo.AuthenticationDocumentHash is null), name);
            if (upo.IsSessionUpo) Assert.Equal(upo.Documents.Count, upo.PageInfo!.TotalDocumentCount);
            foreach (var entry in upo.Documents)
            {
                Assert.Contains($"<NumerKSeFDokumentu>{entry.KsefNumber}</NumerKSeFDokumentu>", text, StringComparison.Ordinal);
                var number = KsefNumber.Parse(entry.KsefNumber);
                Assert.Equal(entry.SellerNip, number.SellerNip);
                Assert.Equal(44, entry.DocumentHash.Length);
                Assert.Equal(version == "4-2" ? null : UpoSubmissionMode.Online, entry.SubmissionMode);
                Assert.True(entry.KsefNumberAssignedAt >= entry.SubmittedAt);
            }
        }
    }

    [Fact]
    public void OfficialSessionSampleInDetail()
    {
        var upo = UpoDocument.Parse(File.ReadAllBytes(Path.Combine(SharedSpec.UpoDirectory, "v4-3", "upo-sesja-internal-id.xml")));
        Assert.Equal("Ministerstwo Finansów - środowisko testowe (TE)", upo.ReceivingEntityName);
        Assert.Equal("58550905-BD-D0587DA4A3-4AE171EDED-46", upo.SessionReferenceNumber);
        Assert.Equal(new UpoContextIdentifier(UpoContextType.InternalId, "5265877635-12345"), upo.Context);
        Assert.Equal("20250819-EC-1ECDD12000-5EE71AE5E3-B7", upo.KsefTokenReferenceNumber);
        Assert.Null(upo.AuthenticationDocumentHash);
        Assert.Equal(new UpoPageInfo(1, 1, 1, 2, 2), upo.PageInfo);
        Assert.Equal("Schemat_FA(3)_v1-0E.xsd", upo.LogicalStructureName);
        Assert.Null(upo.SchemaVersionAttribute);

        var second = upo.Documents[1];
        Assert.Equal("5265877635", second.SellerNip);
        Assert.Equal("5265877635-20250916-02000009FF3E-FB", second.KsefNumber);
        Assert.Equal("FA/XVQUD-9997622510/04/2027", second.InvoiceNumber);
        Assert.Equal(new DateOnly(2025, 9, 16), second.IssueDate);
        Assert.Equal(new DateTimeOffset(2025, 9, 16, 11, 10, 27, 818, TimeSpan.FromHours(2)), second.SubmittedAt);
        Assert.Equal(new DateTimeOffset(2025, 9, 16, 11, 10, 28, 168, TimeSpan.FromHours(2)), second.KsefNumberAssignedAt);
        Assert.Equal("GZMGNVzs3krF6URKgvaw77OOeG3nJ+WGziT5xguliQ8=", second.DocumentHash);
        Assert.Equal(UpoSubmissionMode.Online, second.SubmissionMode);
    }

    [Fact]
    public void OfficialInvoiceSampleWithSignatureDigestAndVatUeContext()
    {
        var upo = UpoDocument.Parse(File.ReadAllText(Path.Combine(SharedSpec.UpoDirectory, "v4-2", "upo-faktura-id-zlozony-vat-ue.xml")));
        Assert.Equal(UpoSchemaVersion.V4_2, upo.SchemaVersion);
        Assert.Equal(new UpoContextIdentifier(UpoContextType.NipVatUe, "5265877635-ATU12345678"), upo.Context);
        Assert.Equal("kyqH+QUgP8ATWd/95IY632mP4uqibwG66Oqclq9+qno=", upo.AuthenticationDocumentHash);
        Assert.Null(upo.KsefTokenReferenceNumber);
        Assert.Null(upo.PageInfo);
        Assert.Equal("1-0E", upo.LogicalStructureName);
        var only = Assert.Single(upo.Documents);
        Assert.Null(only.SubmissionMode);
        Assert.Equal("5265877635-20250916-0200A0D6723E-C2", only.KsefNumber);
    }

    [Fact]
    public void SandboxInvoiceUpoReadsBackWhatTheSandboxWrote()
    {
        var session = SandboxUpo.Session(3);
        var invoice = session.Invoices[2];
        var upo = UpoDocument.Parse(SandboxUpo.SignedInvoiceUpo(session, 2));

        Assert.Equal(UpoSchemaVersion.V4_3, upo.SchemaVersion);
        Assert.True(upo.HasSignature);
        Assert.False(upo.IsSessionUpo);
        Assert.Equal(session.ReferenceNumber, upo.SessionReferenceNumber);
        Assert.True(ReferenceNumber.IsValid(upo.SessionReferenceNumber));
        Assert.Equal(new UpoContextIdentifier(UpoContextType.Nip, session.ContextNip), upo.Context);
        Assert.NotNull(upo.AuthenticationDocumentHash);
        var entry = Assert.Single(upo.Documents);
        Assert.Equal(session.ContextNip, entry.SellerNip);
        Assert.Equal(invoice.KsefNumber, entry.KsefNumber);
        Assert.Equal(invoice.InvoiceNumber, entry.InvoiceNumber);
        Assert.Equal(DateOnly.FromDateTime(invoice.InvoicingDate.DateTime), entry.IssueDate);
        Assert.Equal(invoice.InvoicingDate, entry.SubmittedAt);
        Assert.Equal(invoice.AcquisitionDate, entry.KsefNumberAssignedAt);
        Assert.Equal(Convert.ToBase64String(invoice.Hash), entry.DocumentHash);
        Assert.Equal(UpoSubmissionMode.Offline, entry.SubmissionMode); // the third invoice is an offline one
        Assert.True(entry.HashMatches(Encoding.UTF8.GetBytes("invoice 3")));
        Assert.False(entry.HashMatches(Encoding.UTF8.GetBytes("invoice 2")));
    }

    [Fact]
    public async Task SandboxSessionUpoListsEveryInvoiceWithItsPage()
    {
        var session = SandboxUpo.Session(5);
        using var stream = new MemoryStream(SandboxUpo.SignedSessionUpo(session));
        var upo = await UpoDocument.LoadAsync(stream, Ct);
        Assert.True(upo.IsSessionUpo);
        Assert.Equal(new UpoPageInfo(1, 1, 1, 5, 5), upo.PageInfo);
        Assert.Equal(session.Invoices.Select(i => i.KsefNumber), upo.Documents.Select(d => d.KsefNumber));
        Assert.Equal(session.Invoices.Select(i => i.Offline ? UpoSubmissionMode.Offline : UpoSubmissionMode.Online), upo.Documents.Select(d => d.SubmissionMode!.Value));
    }

    [Fact]
    public void TokenWhitespaceIsCollapsed()
    {
        var xml = Sample().Replace("<NumerFaktury>FA/1</NumerFaktury>", "<NumerFaktury>\n   FA/1   \t X </NumerFaktury>", StringComparison.Ordinal);
        Assert.Equal("FA/1 X", UpoDocument.Parse(xml).Documents[0].InvoiceNumber);
    }

    [Fact]
    public void SchemaVersionAttributeIsRead()
    {
        var xml = Sample().Replace("<Potwierdzenie ", "<Potwierdzenie wersjaSchemy=\"4-3\" ", StringComparison.Ordinal);
        Assert.Equal("4-3", UpoDocument.Parse(xml).SchemaVersionAttribute);
        Assert.Null(UpoDocument.Parse(Sample()).SchemaVersionAttribute);
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "</Potwierdzenie>", "", "not well-formed" },
        { "http://upo.schematy.mf.gov.pl/KSeF/v4-3", "http://example.com/upo", "namespace" },
        { "<NumerReferencyjnySesji>20250916-SO-0000000000-0000000000-00</NumerReferencyjnySesji>", "", "NumerReferencyjnySesji" },
        { "<DataWystawieniaFaktury>2025-09-16</DataWystawieniaFaktury>", "<DataWystawieniaFaktury>16.09.2025</DataWystawieniaFaktury>", "DataWystawieniaFaktury" },
        { "<DataNadaniaNumeruKSeF>2025-09-16T11:10:28.120+02:00</DataNadaniaNumeruKSeF>", "<DataNadaniaNumeruKSeF>yesterday</DataNadaniaNumeruKSeF>", "DataNadaniaNumeruKSeF" },
        { "<TrybWysylki>Online</TrybWysylki>", "", "TrybWysylki" },
        { "<TrybWysylki>Online</TrybWysylki>", "<TrybWysylki>Carrier pigeon</TrybWysylki>", "Carrier pigeon" },
        { "<Nip>5265877635</Nip>", "<Pesel>1</Pesel>", "Pesel" },
        { "<SkrotDokumentuUwierzytelniajacego>kyqH+QUgP8ATWd/95IY632mP4uqibwG66Oqclq9+qno=</SkrotDokumentuUwierzytelniajacego>", "", "Uwierzytelnienie" },
        { "<NumerFaktury>FA/1</NumerFaktury>", "<NumerFaktury>  </NumerFaktury>", "NumerFaktury is empty" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenDocumentsFailWithTheReasonAndPosition(string from, string to, string expected)
    {
        var xml = Sample();
        Assert.Contains(from, xml, StringComparison.Ordinal);
        var e = Assert.Throws<UpoFormatException>(() => UpoDocument.Parse(xml.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.LineNumber);
        Assert.True(e.LineNumber > 0);
    }

    [Fact]
    public void NoDocumentsIsAnError()
    {
        var document = XDocument.Parse(Sample());
        document.Root!.Elements(document.Root.Name.Namespace + "Dokument").Remove();
        var e = Assert.Throws<UpoFormatException>(() => UpoDocument.FromXDocument(document));
        Assert.Contains("no Dokument", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DtdsAreRefused()
    {
        var xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]>" + Sample()[Sample().IndexOf("<Potwierdzenie", StringComparison.Ordinal)..];
        Assert.Throws<UpoFormatException>(() => UpoDocument.Parse(xml));
    }

    [Fact]
    public async Task LoadAsyncReportsMalformedXmlAsFormatError()
    {
        using var stream = new MemoryStream("<Potwierdzenie"u8.ToArray());
        var e = await Assert.ThrowsAsync<UpoFormatException>(() => UpoDocument.LoadAsync(stream, Ct));
        Assert.Equal(1, e.LineNumber);
    }

    /// <summary>A small multi-line v4-3 invoice UPO.</summary>
    internal static string Sample() => """
        <?xml version="1.0" encoding="utf-8"?>
        <Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">
          <NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>
          <NumerReferencyjnySesji>20250916-SO-0000000000-0000000000-00</NumerReferencyjnySesji>
          <Uwierzytelnienie>
            <IdKontekstu>
              <Nip>5265877635</Nip>
            </IdKontekstu>
            <SkrotDokumentuUwierzytelniajacego>kyqH+QUgP8ATWd/95IY632mP4uqibwG66Oqclq9+qno=</SkrotDokumentuUwierzytelniajacego>
          </Uwierzytelnienie>
          <NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</NazwaStrukturyLogicznej>
          <KodFormularza>FA (3)</KodFormularza>
          <Dokument>
            <NipSprzedawcy>5265877635</NipSprzedawcy>
            <NumerKSeFDokumentu>5265877635-20250916-0100C002FF3E-D5</NumerKSeFDokumentu>
            <NumerFaktury>FA/1</NumerFaktury>
            <DataWystawieniaFaktury>2025-09-16</DataWystawieniaFaktury>
            <DataPrzeslaniaDokumentu>2025-09-16T11:10:27.710+02:00</DataPrzeslaniaDokumentu>
            <DataNadaniaNumeruKSeF>2025-09-16T11:10:28.120+02:00</DataNadaniaNumeruKSeF>
            <SkrotDokumentu>jli86Kp2Kw7jppX59P8VmjWRcwLTvsPK3DcPEB87mNk=</SkrotDokumentu>
            <TrybWysylki>Online</TrybWysylki>
          </Dokument>
        </Potwierdzenie>
        """;

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
