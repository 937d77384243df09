using System.Net;
using System.Xml;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>Online and batch sessions end to end: what is sent moves through its statuses on the sandbox clock.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SendingFlowTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private static string Number(string prefix) => $"{prefix}/{Guid.NewGuid():N}";

    /// <summary>Moves the clock past the processing delay (10 s in the fixture) in two steps: 150 half-way, final at the end.</summary>
    private void Process() => sandbox.Clock.Advance(TimeSpan.FromSeconds(11));

    [Fact]
    public async Task OnlineSessionInvoicesReachEveryVerdict()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        Assert.Contains("-SO-", opened.ReferenceNumber);
        Assert.Equal(100, (await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct)).Status.Code);

        async Task<string> SendAsync(byte[] xml) =>
            (await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(xml, key, iv), Ct)).ReferenceNumber;

        var number = Number("FV");
        var good = await SendAsync(KsefTestKit.Invoice(Nip, number));
        var duplicate = await SendAsync(KsefTestKit.Invoice(Nip, number));
        var foreignSeller = await SendAsync(KsefTestKit.Invoice(sandbox.Store.Contexts[1].Nip, Number("FV")));
        var attachment = await SendAsync(KsefTestKit.Invoice(Nip, Number("FV"), attachment: true));
        var notXml = await SendAsync("this is not an invoice"u8.ToArray());
        var future = await SendAsync(KsefTestKit.Invoice(Nip, Number("FV"), issued: new DateOnly(2099, 1, 1)));
        var wrongKey = KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), new byte[32], iv);
        var undecryptable = (await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, wrongKey, Ct)).ReferenceNumber;
        var misdeclared = KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), key, iv);
        misdeclared.InvoiceHash = System.Security.Cryptography.SHA256.HashData("another document"u8);
        var mismatch = (await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, misdeclared, Ct)).ReferenceNumber;

        // Past 100 ("accepted", the answer to the send) by the first question: 150 until the processing delay is over.
        var first = await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, good, Ct);
        Assert.Equal(150, first.Status.Code);
        Assert.Null(first.KsefNumber);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(150, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, good, Ct)).Status.Code);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(5));

        var accepted = await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, good, Ct);
        Assert.Equal(200, accepted.Status.Code);
        Assert.Equal(number, accepted.InvoiceNumber);
        Assert.True(KsefGen.Runtime.KsefNumber.IsValid(accepted.KsefNumber));
        Assert.StartsWith(Nip + "-", accepted.KsefNumber);
        Assert.NotNull(accepted.UpoDownloadUrl);

        var copy = await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, duplicate, Ct);
        Assert.Equal(440, copy.Status.Code);
        Assert.Equal(accepted.KsefNumber, copy.Status.OriginalKsefNumber);
        Assert.Equal(opened.ReferenceNumber, copy.Status.OriginalSessionReferenceNumber);

        Assert.Equal(410, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, foreignSeller, Ct)).Status.Code);
        // Attachments without the taxpayer's consent: 410 with the live server's detail.
        var refused = await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, attachment, Ct);
        Assert.Equal(410, refused.Status.Code);
        Assert.Equal("Nieprawidłowy zakres uprawnień", refused.Status.Description);
        Assert.Equal($"Sprzedawca {Nip} nie posiada zgody do wysyłania faktur z załącznikami", Assert.Single(refused.Status.Details!));
        Assert.Equal(430, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, notXml, Ct)).Status.Code);
        Assert.Equal(450, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, future, Ct)).Status.Code);
        Assert.Equal(435, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, undecryptable, Ct)).Status.Code);
        Assert.Equal(430, (await client.SessionStatus.GetSessionInvoiceAsync(opened.ReferenceNumber, mismatch, Ct)).Status.Code);

        var failed = await client.SessionStatus.GetSessionFailedInvoicesAsync(opened.ReferenceNumber, cancellationToken: Ct);
        Assert.Equal(7, failed.Invoices.Count);

        // The UPO of a sent invoice is signed and names the invoice.
        var upo = await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(opened.ReferenceNumber, good, Ct);
        var document = UpoTests.Verify(System.Text.Encoding.UTF8.GetBytes(upo.Content), X509Upo(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct)));
        Assert.Contains(accepted.KsefNumber!, document.OuterXml);

        // Close: 170, then 200 with a session UPO once processed; no more invoices after closing.
        await client.OnlineSession.CloseOnlineSessionAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(170, (await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct)).Status.Code);
        var late = await Assert.ThrowsAsync<KsefApiException>(() => SendAsync(KsefTestKit.Invoice(Nip, Number("FV"))));
        Assert.Equal(21180, late.ExceptionCode);
        Assert.Equal(21180, (await Assert.ThrowsAsync<KsefApiException>(() => client.OnlineSession.CloseOnlineSessionAsync(opened.ReferenceNumber, Ct))).ExceptionCode);
        Process();
        var done = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(200, done.Status.Code);
        Assert.Equal(8, done.InvoiceCount);
        Assert.Equal(1, done.SuccessfulInvoiceCount);
        Assert.Equal(7, done.FailedInvoiceCount);
        var page = Assert.Single(done.Upo!.Pages);
        Assert.Contains(accepted.KsefNumber!, (await client.SessionStatus.GetSessionUpoAsync(opened.ReferenceNumber, page.ReferenceNumber, Ct)).Content);
    }

    [Fact]
    public async Task OnlineSessionsEndIn440And445And415()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var empty = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        await client.OnlineSession.CloseOnlineSessionAsync(empty.ReferenceNumber, Ct);

        var bad = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        await client.OnlineSession.SendOnlineSessionInvoiceAsync(bad.ReferenceNumber, KsefTestKit.SendRequest("<Faktura/>"u8.ToArray(), key, iv), Ct);
        await client.OnlineSession.CloseOnlineSessionAsync(bad.ReferenceNumber, Ct);

        var garbageKey = new EncryptionInfo { EncryptedSymmetricKey = new byte[256], InitializationVector = iv };
        var undecryptable = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = garbageKey }, Ct);

        // A closed session is final once its invoices are (10 s) plus half the delay.
        Process();
        Assert.Equal(170, (await client.SessionStatus.GetSessionStatusAsync(bad.ReferenceNumber, Ct)).Status.Code);
        Process();
        Assert.Equal(440, (await client.SessionStatus.GetSessionStatusAsync(empty.ReferenceNumber, Ct)).Status.Code);
        Assert.Equal(445, (await client.SessionStatus.GetSessionStatusAsync(bad.ReferenceNumber, Ct)).Status.Code);
        Assert.Equal(415, (await client.SessionStatus.GetSessionStatusAsync(undecryptable.ReferenceNumber, Ct)).Status.Code);
        Assert.Null((await client.SessionStatus.GetSessionStatusAsync(bad.ReferenceNumber, Ct)).Upo);

        // An online session closes itself after 12 hours.
        var forgotten = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        sandbox.Clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1));
        client = await sandbox.ClientAsync(Nip);
        Assert.Equal(440, (await client.SessionStatus.GetSessionStatusAsync(forgotten.ReferenceNumber, Ct)).Status.Code);
    }

    [Fact]
    public async Task SendRejectsWhatDoesNotAddUp()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var request = KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), key, iv);
        request.EncryptedInvoiceSize++;
        Assert.Equal(21402, (await Assert.ThrowsAsync<KsefApiException>(() => client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, request, Ct))).ExceptionCode);
        request = KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), key, iv);
        request.EncryptedInvoiceHash = request.InvoiceHash;
        Assert.Equal(21403, (await Assert.ThrowsAsync<KsefApiException>(() => client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, request, Ct))).ExceptionCode);
        var unknownForm = new OpenOnlineSessionRequest { FormCode = new FormCode { SystemCode = "FA (9)", SchemaVersion = "1-0E", Value = "FA" }, Encryption = encryption };
        Assert.Equal(21405, (await Assert.ThrowsAsync<KsefApiException>(() => client.OnlineSession.OpenOnlineSessionAsync(unknownForm, Ct))).ExceptionCode);
        // Another context's session is not there at all.
        var stranger = await sandbox.ClientAsync(sandbox.Store.Contexts[1].Nip);
        var foreign = await Assert.ThrowsAsync<KsefApiException>(() => stranger.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), key, iv), Ct));
        Assert.Equal(21173, foreign.ExceptionCode);
    }

    [Fact]
    public async Task BatchPackageIsUploadedUnpackedAndJudged()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var numbers = Enumerable.Range(0, 3).Select(_ => Number("FB")).ToArray();
        var package = KsefTestKit.Zip(
            ("a.xml", KsefTestKit.Invoice(Nip, numbers[0])),
            ("b.xml", KsefTestKit.Invoice(Nip, numbers[1], attachment: true)),
            ("c.xml", "<broken"u8.ToArray()));
        var (request, parts) = KsefTestKit.BatchRequest(package, 2, key, iv, encryption);
        var opened = await client.BatchSession.OpenBatchSessionAsync(request, Ct);
        Assert.Contains("-SB-", opened.ReferenceNumber);
        Assert.Equal(2, opened.PartUploadRequests.Count);

        // Closing before every part is there: 21205.
        Assert.Equal(21205, (await Assert.ThrowsAsync<KsefApiException>(() => client.BatchSession.CloseBatchSessionAsync(opened.ReferenceNumber, Ct))).ExceptionCode);
        using var plain = new HttpClient();
        foreach (var upload in opened.PartUploadRequests)
        {
            // The storage wants the headers it named, and no bearer token.
            using var withoutHeader = await plain.SendAsync(new HttpRequestMessage(new HttpMethod(upload.Method), upload.Url) { Content = new ByteArrayContent(parts[upload.OrdinalNumber - 1]) }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, withoutHeader.StatusCode);
            var put = new HttpRequestMessage(new HttpMethod(upload.Method), upload.Url) { Content = new ByteArrayContent(parts[upload.OrdinalNumber - 1]) };
            foreach (var (name, value) in upload.Headers) put.Headers.TryAddWithoutValidation(name, value);
            using var response = await plain.SendAsync(put, Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        var tampered = opened.PartUploadRequests[0].Url.ToString();
        tampered = tampered[..^3] + (tampered[^3] == 'A' ? 'B' : 'A') + tampered[^2..];
        using (var forged = await plain.PutAsync(tampered, new ByteArrayContent(parts[0]), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Contains("<Error>", await forged.Content.ReadAsStringAsync(Ct));
        }

        await client.BatchSession.CloseBatchSessionAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(150, (await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct)).Status.Code);
        Process();
        var status = await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct);
        Assert.Equal(200, status.Status.Code);
        var invoices = (await client.SessionStatus.GetSessionInvoicesAsync(opened.ReferenceNumber, cancellationToken: Ct)).Invoices;
        Assert.Equal(["a.xml", "b.xml", "c.xml"], invoices.Select(i => i.InvoiceFileName));
        Assert.Equal([200, 410, 430], invoices.Select(i => i.Status.Code));
        Assert.Equal(numbers[1], invoices[1].InvoiceNumber);
        Assert.NotNull(Assert.Single(status.Upo!.Pages).DownloadUrl);
    }

    [Theory]
    [InlineData("hash", 405)]
    [InlineData("zip", 430)]
    [InlineData("empty", 440)]
    [InlineData("key", 415)]
    [InlineData("parts", 435)]
    [InlineData("targz", 200)]
    public async Task BatchSessionVerdicts(string fault, int expected)
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var package = fault switch
        {
            "zip" => "this is not a zip archive at all"u8.ToArray(),
            "empty" => KsefTestKit.Zip(),
            "targz" => TarGz(KsefTestKit.Invoice(Nip, Number("FT"))),
            _ => KsefTestKit.Zip(("one.xml", KsefTestKit.Invoice(Nip, Number("FB")))),
        };
        if (fault == "key") encryption = new EncryptionInfo { EncryptedSymmetricKey = new byte[256], InitializationVector = iv };
        var (request, parts) = KsefTestKit.BatchRequest(package, 1, fault == "parts" ? new byte[32] : key, iv, encryption, fault == "targz" ? CompressionType.TarGz : (CompressionType?)null);
        if (fault == "hash") request.BatchFile.FileHash = new byte[32];
        var opened = await client.BatchSession.OpenBatchSessionAsync(request, Ct);
        using var plain = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, opened.PartUploadRequests[0].Url) { Content = new ByteArrayContent(parts[0]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await plain.SendAsync(put, Ct)).EnsureSuccessStatusCode();
        await client.BatchSession.CloseBatchSessionAsync(opened.ReferenceNumber, Ct);
        Process();
        Assert.Equal(expected, (await client.SessionStatus.GetSessionStatusAsync(opened.ReferenceNumber, Ct)).Status.Code);
    }

    [Fact]
    public async Task BatchCloseChecksPartSizesAndTheUploadWindow()
    {
        var client = await sandbox.ClientAsync(Nip);
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var (request, parts) = KsefTestKit.BatchRequest(KsefTestKit.Zip(("x.xml", KsefTestKit.Invoice(Nip, Number("FB")))), 1, key, iv, encryption);
        var opened = await client.BatchSession.OpenBatchSessionAsync(request, Ct);
        using var plain = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, opened.PartUploadRequests[0].Url) { Content = new ByteArrayContent(parts[0][..^16]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await plain.SendAsync(put, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(21157, (await Assert.ThrowsAsync<KsefApiException>(() => client.BatchSession.CloseBatchSessionAsync(opened.ReferenceNumber, Ct))).ExceptionCode);

        var late = await client.BatchSession.OpenBatchSessionAsync(KsefTestKit.BatchRequest(KsefTestKit.Zip(("y.xml", KsefTestKit.Invoice(Nip, Number("FB")))), 1, key, iv, encryption).Request, Ct);
        sandbox.Clock.Advance(TimeSpan.FromMinutes(21));
        client = await sandbox.ClientAsync(Nip);
        Assert.Equal(21208, (await Assert.ThrowsAsync<KsefApiException>(() => client.BatchSession.CloseBatchSessionAsync(late.ReferenceNumber, Ct))).ExceptionCode);
        Assert.Equal(440, (await client.SessionStatus.GetSessionStatusAsync(late.ReferenceNumber, Ct)).Status.Code);
        var tooMany = KsefTestKit.BatchRequest(new byte[51 * 16], 51, key, iv, encryption).Request;
        Assert.Equal(21161, (await Assert.ThrowsAsync<KsefApiException>(() => client.BatchSession.OpenBatchSessionAsync(tooMany, Ct))).ExceptionCode);
    }

    [Fact]
    public async Task SessionOpenedWithUpoV42FeatureGetsV42Upos()
    {
        var (client, handler) = KsefTestKit.Client(sandbox, await sandbox.AccessTokenAsync(Nip));
        handler.Headers["X-KSeF-Feature"] = "upo-v4-2";
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        var opened = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        handler.Headers.Clear();
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(Nip, Number("FV")), key, iv), Ct);
        Process();
        var upo = await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(opened.ReferenceNumber, sent.ReferenceNumber, Ct);
        var document = UpoTests.Verify(System.Text.Encoding.UTF8.GetBytes(upo.Content), X509Upo(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct)));
        Assert.Equal("http://upo.schematy.mf.gov.pl/KSeF/v4-2", document.DocumentElement!.NamespaceURI);
        Assert.Empty(document.GetElementsByTagName("TrybWysylki", "*").Cast<XmlNode>());

        // Asking with the feature header on a download gives v4-2 for any session; v4-3 stays the default.
        var seeded = sandbox.Store.SessionsOf(Nip).First(s => s.Status == 200 && !s.IsBatch);
        var invoice = seeded.Invoices.First(i => i.Status == 200);
        handler.Headers["X-KSeF-Feature"] = "upo-v4-2";
        var old = await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(seeded.ReferenceNumber, invoice.ReferenceNumber, Ct);
        Assert.Contains("KSeF/v4-2", old.Content);
        UpoTests.Verify(System.Text.Encoding.UTF8.GetBytes(old.Content), X509Upo(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct)));
        handler.Headers.Clear();
        Assert.Contains("KSeF/v4-3", (await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(seeded.ReferenceNumber, invoice.ReferenceNumber, Ct)).Content);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 X509Upo(string pem) =>
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);

    private static byte[] TarGz(byte[] invoice)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "invoice.xml") { DataStream = new MemoryStream(invoice) };
            tar.WriteEntry(entry);
        }
        return buffer.ToArray();
    }
}
