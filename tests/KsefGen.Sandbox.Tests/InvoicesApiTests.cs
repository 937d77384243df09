using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// A sandbox of its own for "Pobieranie faktur": a small technical limit (so truncation is reachable), small export
/// parts (so a package has several) and short part links (so they expire within a test).
/// </summary>
public sealed class ReceivingSandbox : SandboxFixture
{
    public const int Limit = 1000;

    public ReceivingSandbox()
    {
        Configure = o =>
        {
            o.InvoiceQueryLimit = Limit;
            o.ExportPartSize = 64 * 1024;
            o.ExportLinkLifetime = TimeSpan.FromSeconds(30);
        };
    }
}

/// <summary>Receiving invoices: metadata queries, downloads by KSeF number and encrypted exports, seeded and sent invoices alike.</summary>
public sealed class InvoicesApiTests(ReceivingSandbox sandbox) : IClassFixture<ReceivingSandbox>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Seller => sandbox.Store.Contexts[0].Nip;

    private string Buyer => sandbox.Store.Contexts[1].Nip;

    private static readonly DateTimeOffset SeedStart = Seeder.Anchor.AddDays(-1);

    private static InvoiceQueryFilters Filters(InvoiceQuerySubjectType subject, InvoiceQueryDateType dateType, DateTimeOffset from, DateTimeOffset? to = null, bool? restrict = null) => new()
    {
        SubjectType = subject,
        DateRange = new InvoiceQueryDateRange { DateType = dateType, From = from, To = to, RestrictToPermanentStorageHwmDate = restrict },
    };

    /// <summary>A copy of <paramref name="source"/> with <paramref name="change"/> applied.</summary>
    private static InvoiceQueryFilters With(InvoiceQueryFilters source, Action<InvoiceQueryFilters> change)
    {
        var copy = new InvoiceQueryFilters
        {
            SubjectType = source.SubjectType,
            DateRange = source.DateRange,
            KsefNumber = source.KsefNumber,
            InvoiceNumber = source.InvoiceNumber,
            Amount = source.Amount,
            SellerNip = source.SellerNip,
            BuyerIdentifier = source.BuyerIdentifier,
            CurrencyCodes = source.CurrencyCodes,
            InvoicingMode = source.InvoicingMode,
            IsSelfInvoicing = source.IsSelfInvoicing,
            FormType = source.FormType,
            InvoiceTypes = source.InvoiceTypes,
            HasAttachment = source.HasAttachment,
        };
        change(copy);
        return copy;
    }

    private static byte[] AesDecrypt(byte[] encrypted, byte[] key, byte[] iv)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.DecryptCbc(encrypted, iv, PaddingMode.PKCS7);
    }

    /// <summary>The accepted invoices of a seller's context, from the store: the oracle the API is checked against.</summary>
    private List<InvoiceRecord> Accepted(string nip) =>
        [.. sandbox.Store.SessionsOf(nip).SelectMany(s => s.Invoices).Where(i => i.Status == 200 && i.KsefNumber is not null)];

    [Fact]
    public async Task MetadataPagesWithHasMoreInInvoicingDateOrderAndBothDirections()
    {
        var client = await sandbox.ClientAsync(Seller);
        var accepted = Accepted(Seller).OrderBy(i => i.InvoicingDate).ThenBy(i => i.KsefNumber, StringComparer.Ordinal).ToList();
        // The small seeded sessions, before the large one: a few pages of ten.
        var to = accepted[40].InvoicingDate;
        var expected = accepted.Where(i => i.InvoicingDate <= to).Select(i => i.KsefNumber!).ToList();
        var filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart, to);

        foreach (var order in new[] { SortOrder.Asc, SortOrder.Desc })
        {
            var seen = new List<string>();
            for (var page = 0; ; page++)
            {
                var response = await client.Invoices.QueryInvoiceMetadataAsync(filters, order, page, 10, Ct);
                Assert.InRange(response.Invoices.Count, 1, 10);
                Assert.False(response.IsTruncated);
                Assert.Null(response.PermanentStorageHwmDate);
                seen.AddRange(response.Invoices.Select(i => i.KsefNumber));
                if (!response.HasMore) break;
                Assert.Equal(10, response.Invoices.Count);
            }
            Assert.Equal(order == SortOrder.Asc ? expected : Enumerable.Reverse(expected), seen);
        }

        // The generated pager follows pageOffset until hasMore is false.
        var all = new List<string>();
        await foreach (var invoice in client.Invoices.EnumerateQueryInvoiceMetadataAsync(filters, pageSize: 25, cancellationToken: Ct)) all.Add(invoice.KsefNumber);
        Assert.Equal(expected, all);
    }

    [Fact]
    public async Task TruncatedQueriesContinueFromTheLastDateUntilEveryInvoiceWasSeen()
    {
        var client = await sandbox.ClientAsync(Seller);
        var now = sandbox.Clock.GetUtcNow();
        var expected = Accepted(Seller).Where(i => i.PermanentStorageDate <= now).Select(i => i.KsefNumber!).ToHashSet();
        Assert.True(expected.Count > ReceivingSandbox.Limit);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var from = SeedStart;
        var truncations = 0;
        var pageOffset = 0;
        while (true)
        {
            var page = await client.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, from, now),
                SortOrder.Asc, pageOffset, 250, Ct);
            Assert.NotNull(page.PermanentStorageHwmDate);
            foreach (var invoice in page.Invoices) seen.Add(invoice.KsefNumber);
            if (!page.HasMore) break;
            if (page.IsTruncated)
            {
                // The documented way on: from = the last record's date, pageOffset back to 0.
                Assert.Equal(ReceivingSandbox.Limit, (pageOffset + 1) * 250);
                truncations++;
                from = page.Invoices[^1].PermanentStorageDate;
                pageOffset = 0;
                continue;
            }
            pageOffset++;
        }
        Assert.True(truncations >= 2, $"{truncations} truncations for {expected.Count} invoices");
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SeededInvoicesCanBeDownloadedAndTheirHashIsTheOneEveryRouteReports()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var session = sandbox.Store.SessionsOf(Seller).First(s => s.Status == 200 && s.Invoices.Count < 100);
        var invoice = session.Invoices.First(i => i.Status == 200);
        var status = await seller.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
        var metadata = Assert.Single((await seller.Invoices.QueryInvoiceMetadataAsync(
            With(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart), f => { f.KsefNumber = invoice.KsefNumber; }), cancellationToken: Ct)).Invoices);

        var xml = await seller.Invoices.GetInvoiceAsync(invoice.KsefNumber!, Ct);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(xml.Content));
        Assert.Equal(hash, status.InvoiceHash);
        Assert.Equal(hash, metadata.InvoiceHash);
        Assert.Equal(Convert.ToBase64String(hash), xml.ContentHash);
        Assert.StartsWith("application/xml", xml.ContentType);

        // What the metadata says is what the document says.
        var document = XDocument.Parse(xml.Content);
        XNamespace fa = "http://crd.gov.pl/wzor/2025/06/25/13775/";
        Assert.Equal(Seller, document.Root!.Element(fa + "Podmiot1")!.Element(fa + "DaneIdentyfikacyjne")!.Element(fa + "NIP")!.Value);
        Assert.Equal(metadata.Buyer.Identifier.Value, document.Root.Element(fa + "Podmiot2")!.Element(fa + "DaneIdentyfikacyjne")!.Element(fa + "NIP")!.Value);
        Assert.Equal(invoice.InvoiceNumber, document.Root.Element(fa + "Fa")!.Element(fa + "P_2")!.Value);
        Assert.Equal(metadata.GrossAmount, double.Parse(document.Root.Element(fa + "Fa")!.Element(fa + "P_15")!.Value, CultureInfo.InvariantCulture));
        Assert.Equal(metadata.IssueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), document.Root.Element(fa + "Fa")!.Element(fa + "P_1")!.Value);
        var read = InvoiceFacts.Read(document.Root, default);
        Assert.Equal(metadata.NetAmount, (double)read.NetAmount);
        Assert.Equal(metadata.VatAmount, (double)read.VatAmount);
        Assert.Equal(metadata.Seller.Name, read.SellerName);
    }

    [Fact]
    public async Task BuyersSeeSeededPurchasesAsSubject2AndCanReadThem()
    {
        // The second seeded context sells two invoices in three to the first.
        var buyer = await sandbox.ClientAsync(Seller);
        var purchases = await buyer.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject2, InvoiceQueryDateType.Invoicing, SeedStart), pageSize: 250, cancellationToken: Ct);
        Assert.Equal(250, purchases.Invoices.Count);
        Assert.True(purchases.HasMore);
        Assert.All(purchases.Invoices, i =>
        {
            Assert.Equal(Buyer, i.Seller.Nip);
            Assert.Equal(Seller, i.Buyer.Identifier.Value);
            Assert.Equal(BuyerIdentifierType.Nip, i.Buyer.Identifier.Type);
        });
        var xml = await buyer.Invoices.GetInvoiceAsync(purchases.Invoices[0].KsefNumber, Ct);
        Assert.Contains(Seller, xml.Content);
    }

    [Fact]
    public async Task SentInvoicesAreFoundByEveryFilterAndReadableBySellerAndBuyerOnly()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var number = $"FR/{Guid.NewGuid():N}";
        var xml = Document(Seller, Buyer, number, currency: "EUR", kind: "KOR", net: 1000m, vat: 230m, vatPln: 990.50m, selfInvoicing: true, third: "5265877635");
        var sent = await SendOnlineAsync(seller, xml);
        var ksefNumber = sent.KsefNumber!;
        var from = sandbox.Clock.GetUtcNow().AddMinutes(-5);

        async Task<List<string>> Find(InvoiceQueryFilters filters, KsefClient? as_ = null) =>
            [.. (await (as_ ?? seller).Invoices.QueryInvoiceMetadataAsync(filters, pageSize: 250, cancellationToken: Ct)).Invoices.Select(i => i.KsefNumber)];
        var basic = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, from);

        var metadata = Assert.Single((await seller.Invoices.QueryInvoiceMetadataAsync(With(basic, f => { f.KsefNumber = ksefNumber; }), cancellationToken: Ct)).Invoices);
        Assert.Equal(number, metadata.InvoiceNumber);
        Assert.Equal(Buyer, metadata.Buyer.Identifier.Value);
        Assert.Equal("Nabywca testowy", metadata.Buyer.Name);
        Assert.Equal("Sprzedawca testowy", metadata.Seller.Name);
        Assert.Equal(1000d, metadata.NetAmount);
        Assert.Equal(1230d, metadata.GrossAmount);
        Assert.Equal(990.50d, metadata.VatAmount);
        Assert.Equal("EUR", metadata.Currency);
        Assert.Equal(InvoiceType.Kor, metadata.InvoiceType);
        Assert.True(metadata.IsSelfInvoicing);
        Assert.False(metadata.HasAttachment);
        Assert.Equal("FA", metadata.FormCode.Value);
        Assert.Equal(new DateOnly(2026, 11, 20), metadata.IssueDate);
        Assert.Equal(InvoicingMode.Offline, metadata.InvoicingMode); // P_1 on an earlier day: automatic offline mode
        Assert.Equal("5265877635", Assert.Single(metadata.ThirdSubjects!).Identifier.Value);

        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.InvoiceNumber = number; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.SellerNip = Seller; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.BuyerIdentifier = new InvoiceQueryBuyerIdentifier { Type = BuyerIdentifierType.Nip, Value = Buyer }; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.Amount = new InvoiceQueryAmount { Type = AmountType.Brutto, From = 1229, To = 1231 }; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.Amount = new InvoiceQueryAmount { Type = AmountType.Netto, From = 1001 }; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.CurrencyCodes = [CurrencyCode.EUR, CurrencyCode.USD]; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.CurrencyCodes = [CurrencyCode.PLN]; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.InvoiceTypes = [InvoiceType.Kor]; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.InvoiceTypes = [InvoiceType.Vat]; })));
        Assert.Equal([ksefNumber], await Find(With(basic, f => { f.IsSelfInvoicing = true; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.InvoicingMode = InvoicingMode.Offline; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.InvoicingMode = InvoicingMode.Online; })));
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.FormType = InvoiceQueryFormType.FA; f.HasAttachment = false; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.FormType = InvoiceQueryFormType.PEF; })));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.HasAttachment = true; })));

        // The buyer finds it as Subject2, not as Subject1; the seller not as Subject2.
        var buyer = await sandbox.ClientAsync(Buyer);
        Assert.Contains(ksefNumber, await Find(With(basic, f => { f.SubjectType = InvoiceQuerySubjectType.Subject2; }), buyer));
        Assert.DoesNotContain(ksefNumber, await Find(basic, buyer));
        Assert.DoesNotContain(ksefNumber, await Find(With(basic, f => { f.SubjectType = InvoiceQuerySubjectType.Subject2; })));

        // Seller and buyer read the very bytes that were sent; anyone else is told it does not exist.
        foreach (var reader in new[] { seller, buyer })
        {
            var downloaded = await reader.Invoices.GetInvoiceAsync(ksefNumber, Ct);
            Assert.Equal(Encoding.UTF8.GetString(xml), downloaded.Content);
            Assert.Equal(Convert.ToBase64String(SHA256.HashData(xml)), downloaded.ContentHash);
        }
        var strangerNip = Identifiers.KsefIdentifiers.NewNip(new Random(42));
        sandbox.Store.EnsureContext(strangerNip);
        var stranger = await sandbox.ClientAsync(strangerNip);
        var refused = await Assert.ThrowsAsync<KsefApiException>(() => stranger.Invoices.GetInvoiceAsync(ksefNumber, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(21164, refused.ExceptionCode);
        Assert.Empty(await Find(With(basic, f => { f.KsefNumber = ksefNumber; }), stranger));
    }

    [Fact]
    public async Task TheHighWaterMarkTrailsTheClockAndRestrictsWhenAsked()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var sent = await SendOnlineAsync(seller, Document(Seller, Buyer, $"FH/{Guid.NewGuid():N}"));
        var stored = sent.PermanentStorageDate!.Value;
        var now = sandbox.Clock.GetUtcNow();
        var lag = sandbox.Service<SandboxOptions>().PermanentStorageHwmLag;
        Assert.True(now - stored < lag, "the invoice was stored within the HWM lag");

        var open = await seller.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, stored.AddMinutes(-1)), cancellationToken: Ct);
        Assert.Contains(open.Invoices, i => i.KsefNumber == sent.KsefNumber);
        Assert.InRange(open.PermanentStorageHwmDate!.Value, now - lag, sandbox.Clock.GetUtcNow() - lag);
        var restricted = await seller.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, stored.AddMinutes(-1), restrict: true), cancellationToken: Ct);
        Assert.DoesNotContain(restricted.Invoices, i => i.KsefNumber == sent.KsefNumber);
        Assert.InRange(restricted.PermanentStorageHwmDate!.Value, now - lag, sandbox.Clock.GetUtcNow() - lag);
        // An older, closed range: the HWM is the range's own end.
        var older = await seller.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, SeedStart, Seeder.Anchor), cancellationToken: Ct);
        Assert.Equal(Seeder.Anchor, older.PermanentStorageHwmDate);

        var beyond = await Assert.ThrowsAsync<KsefApiException>(() => seller.Invoices.QueryInvoiceMetadataAsync(
            Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, stored, restrict: true), cancellationToken: Ct));
        Assert.Equal(21183, beyond.ExceptionCode);

        sandbox.Clock.Advance(lag);
        var later = await seller.Invoices.QueryInvoiceMetadataAsync(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, stored.AddMinutes(-1), restrict: true), cancellationToken: Ct);
        Assert.Contains(later.Invoices, i => i.KsefNumber == sent.KsefNumber);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Zip")]
    [InlineData("TarGz")]
    public async Task ExportsDecryptWithTheClientsKeyAndHoldTheInvoicesAndTheirMetadata(string? compression)
    {
        var seller = await sandbox.ClientAsync(Seller);
        var xml = Document(Seller, Buyer, $"FE/{Guid.NewGuid():N}");
        var sent = await SendOnlineAsync(seller, xml);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(seller, Ct);
        var filters = With(Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, sandbox.Clock.GetUtcNow().AddMinutes(-5)), f => { f.KsefNumber = sent.KsefNumber; });
        var started = await seller.Invoices.ExportInvoicesAsync(new InvoiceExportRequest
        {
            Encryption = encryption,
            Filters = filters,
            CompressionType = compression is null ? default(CompressionType?) : new CompressionType(compression),
        }, Ct);
        Assert.Contains("-EH-", started.ReferenceNumber);
        var running = await seller.Invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, Ct);
        Assert.Equal(100, running.Status.Code);
        Assert.Null(running.Package);

        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var done = await seller.Invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, Ct);
        Assert.Equal(200, done.Status.Code);
        var package = done.Package!;
        Assert.Equal(1, package.InvoiceCount);
        // Not truncated, filtered by Invoicing: no continuation dates (what the official E2E tests assert).
        Assert.False(package.IsTruncated);
        Assert.Null(package.LastPermanentStorageDate);
        Assert.Null(package.PermanentStorageHwmDate);
        Assert.NotNull(done.PackageExpirationDate);

        var plain = await DownloadAsync(package, key, iv);
        Assert.Equal(package.Size, plain.Length);
        var files = compression == "TarGz" ? UnTarGz(plain) : UnZip(plain);
        Assert.Equal(compression == "TarGz" ? (byte)0x1F : (byte)'P', plain[0]);
        Assert.Equal(xml, files[sent.KsefNumber + ".xml"]);
        using var metadata = JsonDocument.Parse(files[InvoiceExports.MetadataEntryName]);
        var listed = Assert.Single(metadata.RootElement.GetProperty("invoices").EnumerateArray());
        Assert.Equal(sent.KsefNumber, listed.GetProperty("ksefNumber").GetString());
        Assert.Equal(Buyer, listed.GetProperty("buyer").GetProperty("identifier").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ATruncatedExportStopsAtTheLimitAndNamesWhereToContinue()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(seller, Ct);
        var started = await seller.Invoices.ExportInvoicesAsync(new InvoiceExportRequest
        {
            Encryption = encryption,
            Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, SeedStart, restrict: true),
        }, Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var package = (await seller.Invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, Ct)).Package!;
        Assert.True(package.IsTruncated);
        Assert.Equal(ReceivingSandbox.Limit, package.InvoiceCount);
        Assert.NotNull(package.PermanentStorageHwmDate);
        Assert.True(package.Parts.Count > 1, $"{package.Size} bytes in {package.Parts.Count} part(s)");

        var files = UnZip(await DownloadAsync(package, key, iv));
        Assert.Equal(ReceivingSandbox.Limit + 1, files.Count);
        using var metadata = JsonDocument.Parse(files[InvoiceExports.MetadataEntryName]);
        var dates = metadata.RootElement.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("permanentStorageDate").GetDateTimeOffset()).ToList();
        Assert.Equal(dates.Order(), dates);
        Assert.Equal(dates[^1], package.LastPermanentStorageDate);
    }

    [Fact]
    public async Task AnExpiredOrTamperedPartLinkIsRefusedAndAskingTheStatusAgainRenewsIt()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(seller, Ct);
        var started = await seller.Invoices.ExportInvoicesAsync(new InvoiceExportRequest
        {
            Encryption = encryption,
            Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart, Seeder.Anchor.AddHours(3)),
            OnlyMetadata = true,
        }, Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var first = (await seller.Invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, Ct)).Package!.Parts[0];
        Assert.Equal("GET", first.Method);
        using var storage = new HttpClient();

        var tampered = first.Url.ToString()[..^3] + (first.Url.ToString().EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA");
        await AssertRefusedAsync(storage, new Uri(tampered), "Signature did not match");
        sandbox.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(first.ExpirationDate < sandbox.Clock.GetUtcNow());
        await AssertRefusedAsync(storage, first.Url, "expiry");

        var renewed = (await seller.Invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, Ct)).Package!.Parts[0];
        Assert.NotEqual(first.Url, renewed.Url);
        Assert.True(renewed.ExpirationDate > sandbox.Clock.GetUtcNow());
        var encrypted = await storage.GetByteArrayAsync(renewed.Url, Ct);
        Assert.Equal(renewed.EncryptedPartHash, SHA256.HashData(encrypted));
        var files = UnZip(AesDecrypt(encrypted, key, iv));
        Assert.Equal([InvoiceExports.MetadataEntryName], files.Keys);

        static async Task AssertRefusedAsync(HttpClient storage, Uri url, string why)
        {
            using var response = await storage.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains("<Code>AuthenticationFailed</Code>", body);
            Assert.Contains(why, body);
        }
    }

    [Fact]
    public async Task ExportsReportAnUndecryptableKeyARangeBeyondTheMarkAndUnknownReferences()
    {
        var seller = await sandbox.ClientAsync(Seller);
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(seller, Ct);
        var garbled = new EncryptionInfo { EncryptedSymmetricKey = new byte[256], InitializationVector = encryption.InitializationVector };
        var noKey = await seller.Invoices.ExportInvoicesAsync(new InvoiceExportRequest { Encryption = garbled, Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart) }, Ct);
        var future = await seller.Invoices.ExportInvoicesAsync(new InvoiceExportRequest
        {
            Encryption = encryption,
            Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, sandbox.Clock.GetUtcNow().AddHours(1), restrict: true),
        }, Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(415, (await seller.Invoices.GetInvoiceExportStatusAsync(noKey.ReferenceNumber, Ct)).Status.Code);
        var beyond = await seller.Invoices.GetInvoiceExportStatusAsync(future.ReferenceNumber, Ct);
        Assert.Equal(420, beyond.Status.Code);
        Assert.NotNull(beyond.Status.Details);

        // Another context does not see the export; a wrong key id is 21470.
        var other = await sandbox.ClientAsync(Buyer);
        Assert.Equal(21175, (await Assert.ThrowsAsync<KsefApiException>(() => other.Invoices.GetInvoiceExportStatusAsync(future.ReferenceNumber, Ct))).ExceptionCode);
        var unknownKey = new EncryptionInfo { EncryptedSymmetricKey = encryption.EncryptedSymmetricKey, InitializationVector = encryption.InitializationVector, PublicKeyId = new byte[32] };
        Assert.Equal(21470, (await Assert.ThrowsAsync<KsefApiException>(() => seller.Invoices.ExportInvoicesAsync(
            new InvoiceExportRequest { Encryption = unknownKey, Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart) }, Ct))).ExceptionCode);
    }

    [Fact]
    public async Task QueriesCheckTheirInput()
    {
        var seller = await sandbox.ClientAsync(Seller);
        async Task<int?> Code(Func<Task> call) => (await Assert.ThrowsAsync<KsefApiException>(call)).ExceptionCode;
        var filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing, SeedStart);
        Assert.Equal(21405, await Code(() => seller.Invoices.QueryInvoiceMetadataAsync(filters, pageSize: 251, cancellationToken: Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.QueryInvoiceMetadataAsync(filters, pageSize: 9, cancellationToken: Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.QueryInvoiceMetadataAsync(filters, pageOffset: -1, cancellationToken: Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.QueryInvoiceMetadataAsync(With(filters, f => { f.DateRange = new InvoiceQueryDateRange { DateType = InvoiceQueryDateType.Issue, From = SeedStart, To = SeedStart.AddMonths(4) }; }), cancellationToken: Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.QueryInvoiceMetadataAsync(With(filters, f => { f.SubjectType = new InvoiceQuerySubjectType("Subject9"); }), cancellationToken: Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.GetInvoiceAsync("not-a-ksef-number", Ct)));
        Assert.Equal(21405, await Code(() => seller.Invoices.GetInvoiceExportStatusAsync("not-a-reference", Ct)));
    }

    /// <summary>Opens an online session, sends one invoice, lets it be processed and returns its status (200).</summary>
    private async Task<SessionInvoiceStatusResponse> SendOnlineAsync(KsefClient client, byte[] xml)
    {
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var session = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync(session.ReferenceNumber, KsefTestKit.SendRequest(xml, key, iv), Ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(11));
        var status = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, sent.ReferenceNumber, Ct);
        Assert.Equal(200, status.Status.Code);
        return status;
    }

    private static async Task<byte[]> DownloadAsync(InvoicePackage package, byte[] key, byte[] iv)
    {
        using var storage = new HttpClient();
        using var plain = new MemoryStream();
        foreach (var part in package.Parts.OrderBy(p => p.OrdinalNumber))
        {
            var encrypted = await storage.GetByteArrayAsync(part.Url, Ct);
            Assert.Equal(part.EncryptedPartSize, encrypted.Length);
            Assert.Equal(part.EncryptedPartHash, SHA256.HashData(encrypted));
            var decrypted = AesDecrypt(encrypted, key, iv);
            Assert.Equal(part.PartHash, SHA256.HashData(decrypted));
            plain.Write(decrypted);
        }
        return plain.ToArray();
    }

    private static Dictionary<string, byte[]> UnZip(byte[] package)
    {
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var content = e.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            return copy.ToArray();
        });
    }

    private static Dictionary<string, byte[]> UnTarGz(byte[] package)
    {
        using var tar = new TarReader(new GZipStream(new MemoryStream(package), CompressionMode.Decompress));
        var files = new Dictionary<string, byte[]>();
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            using var copy = new MemoryStream();
            entry.DataStream?.CopyTo(copy);
            files[entry.Name] = copy.ToArray();
        }
        return files;
    }

    /// <summary>An FA(3) invoice with the parts the metadata reads: buyer, amounts, currency, kind, annotations, a third subject.</summary>
    private static byte[] Document(string seller, string buyer, string number, string currency = "PLN", string kind = "VAT",
        decimal net = 100m, decimal vat = 23m, decimal? vatPln = null, bool selfInvoicing = false, string? third = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var vatW = vatPln is { } w ? string.Create(inv, $"<P_14_1W>{w:0.00}</P_14_1W>") : "";
        var podmiot3 = third is null ? "" : $"<Podmiot3><DaneIdentyfikacyjne><NIP>{third}</NIP><Nazwa>Odbiorca</Nazwa></DaneIdentyfikacyjne><Rola>2</Rola></Podmiot3>";
        return Encoding.UTF8.GetBytes(string.Create(inv, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">
              <Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza><WariantFormularza>3</WariantFormularza><DataWytworzeniaFa>2026-11-20T10:00:00Z</DataWytworzeniaFa></Naglowek>
              <Podmiot1><DaneIdentyfikacyjne><NIP>{seller}</NIP><Nazwa>Sprzedawca testowy</Nazwa></DaneIdentyfikacyjne></Podmiot1>
              <Podmiot2><DaneIdentyfikacyjne><NIP>{buyer}</NIP><Nazwa>Nabywca testowy</Nazwa></DaneIdentyfikacyjne></Podmiot2>
              {podmiot3}
              <Fa><KodWaluty>{currency}</KodWaluty><P_1>2026-11-20</P_1><P_2>{number}</P_2><P_13_1>{net:0.00}</P_13_1><P_14_1>{vat:0.00}</P_14_1>{vatW}<P_15>{net + vat:0.00}</P_15>
                <Adnotacje><P_16>2</P_16><P_17>{(selfInvoicing ? 1 : 2)}</P_17><P_18>2</P_18><P_18A>2</P_18A></Adnotacje>
                <RodzajFaktury>{kind}</RodzajFaktury></Fa>
            </Faktura>
            """));
    }
}
