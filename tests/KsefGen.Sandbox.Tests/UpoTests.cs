using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Schema;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>Every UPO the sandbox serves is signed (XAdES-BES), verifies against the published certificate, and fits the official XSD.</summary>
[Collection(SandboxCollection.Name)]
public sealed class UpoTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private async Task<X509Certificate2> PublishedCertificateAsync() =>
        X509Certificate2.CreateFromPem(await sandbox.Http.GetStringAsync("sandbox/upo-certificate", Ct));

    /// <summary>Verifies the enveloped signature, its XAdES parts, and the XSD (signature set aside); returns the document.</summary>
    internal static XmlDocument Verify(byte[] body, X509Certificate2 trusted)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        using (var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }))
        {
            document.Load(reader);
        }
        var signatures = document.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl);
        var signature = Assert.IsType<XmlElement>(Assert.Single(signatures.Cast<XmlNode>()));
        Assert.Same(document.DocumentElement, signature.ParentNode);
        Assert.Same(signature, document.DocumentElement!.LastChild);

        var signedXml = new SignedXml(document);
        signedXml.LoadXml(signature);
        Assert.True(signedXml.CheckSignature(trusted, verifySignatureOnly: true), "the signature does not verify");
        Assert.Contains(signedXml.SignedInfo!.References.Cast<Reference>(), r => r.Type == "http://uri.etsi.org/01903#SignedProperties");
        var namespaces = new XmlNamespaceManager(document.NameTable);
        namespaces.AddNamespace("xades", "http://uri.etsi.org/01903/v1.3.2#");
        Assert.NotNull(signature.SelectSingleNode(".//xades:SigningTime", namespaces));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(trusted.RawData)),
            signature.SelectSingleNode(".//xades:CertDigest/*[local-name()='DigestValue']", namespaces)!.InnerText);

        var version = document.DocumentElement!.NamespaceURI.EndsWith("v4-2", StringComparison.Ordinal) ? "v4-2" : "v4-3";
        if (SharedXsd(version) is { } xsd)
        {
            var unsigned = (XmlDocument)document.Clone();
            var copy = unsigned.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl)[0]!;
            copy.ParentNode!.RemoveChild(copy);
            unsigned.Schemas.Add(xsd);
            var errors = new List<string>();
            unsigned.Validate((_, e) => errors.Add(e.Message));
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        return document;
    }

    internal static XmlSchemaSet? SharedXsd(string version)
    {
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KsefGen.sln"))) dir = dir.Parent;
            var path = dir is null ? null : Path.Combine(dir.FullName, "..", "shared", "ksef-spec", "upo", $"upo-{version}.xsd");
            if (path is null || !File.Exists(path)) return null;
            var set = new XmlSchemaSet();
            set.Add("http://upo.schematy.mf.gov.pl/KSeF/" + version, path);
            set.Compile();
            return set;
        }
    }

    [Fact]
    public async Task EveryUpoIsSignedAndValid()
    {
        var certificate = await PublishedCertificateAsync();
        var client = await sandbox.ClientAsync(Nip);
        var served = 0;
        foreach (var session in sandbox.Store.SessionsOf(Nip).Where(s => s.Status == 200))
        {
            var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
            Assert.NotNull(status.Upo);
            foreach (var page in status.Upo!.Pages)
            {
                var upo = await client.SessionStatus.GetSessionUpoAsync(session.ReferenceNumber, page.ReferenceNumber, Ct);
                var body = System.Text.Encoding.UTF8.GetBytes(upo.Content);
                Assert.Equal(Convert.ToBase64String(SHA256.HashData(body)), upo.ContentHash);
                var document = Verify(body, certificate);
                Assert.Equal(session.Invoices.Count(i => i.Status == 200), document.GetElementsByTagName("Dokument").Count);
                served++;

                // The pre-signed link, without a bearer token, gives the same bytes.
                using var linked = await new HttpClient().GetAsync(page.DownloadUrl, Ct);
                Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
                Assert.Equal(body, await linked.Content.ReadAsByteArrayAsync(Ct));
                Assert.Equal(upo.ContentHash, linked.Headers.GetValues("x-ms-meta-hash").Single());
            }
            foreach (var invoice in session.Invoices.Where(i => i.Status == 200).Take(3))
            {
                var byKsef = await client.SessionStatus.GetSessionInvoiceUpoByKsefNumberAsync(session.ReferenceNumber, invoice.KsefNumber!, Ct);
                var byReference = await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
                Assert.Equal(byKsef.Content, byReference.Content);
                var document = Verify(System.Text.Encoding.UTF8.GetBytes(byKsef.Content), certificate);
                Assert.Equal(invoice.KsefNumber, document.GetElementsByTagName("NumerKSeFDokumentu")[0]!.InnerText);
                served++;
            }
        }
        Assert.True(served >= 8, $"only {served} UPOs verified");
    }

    [Fact]
    public async Task SessionUpoSplitsIntoPagesOfTheConfiguredSize()
    {
        await using var small = new SandboxFixture { UpoPageSize = 1000 };
        await small.InitializeAsync();
        var nip = small.Store.Contexts[0].Nip;
        var client = await small.ClientAsync(nip);
        var session = small.Store.SessionsOf(nip).Single(s => s.Invoices.Count == SandboxFixture.LargeSession);
        var accepted = session.Invoices.Count(i => i.Status == 200);
        var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
        Assert.Equal((accepted + 999) / 1000, status.Upo!.Pages.Count);
        var certificate = X509Certificate2.CreateFromPem(await small.Http.GetStringAsync("sandbox/upo-certificate", Ct));
        var total = 0;
        foreach (var page in status.Upo.Pages)
        {
            var upo = await client.SessionStatus.GetSessionUpoAsync(session.ReferenceNumber, page.ReferenceNumber, Ct);
            var document = Verify(System.Text.Encoding.UTF8.GetBytes(upo.Content), certificate);
            total += document.GetElementsByTagName("Dokument").Count;
            Assert.Equal(status.Upo.Pages.Count.ToString(), document.GetElementsByTagName("LiczbaStron")[0]!.InnerText);
        }
        Assert.Equal(accepted, total);
    }

    [Fact]
    public async Task LinksExpireAndRejectTamperingWithABlobStyleXmlError()
    {
        await using var sandboxWithShortLinks = new SandboxFixture { UpoLinkLifetime = TimeSpan.FromSeconds(30) };
        await sandboxWithShortLinks.InitializeAsync();
        var nip = sandboxWithShortLinks.Store.Contexts[0].Nip;
        var client = await sandboxWithShortLinks.ClientAsync(nip);
        var session = sandboxWithShortLinks.Store.SessionsOf(nip).First(s => s.Status == 200 && s.Invoices.Count < 100);
        var invoice = session.Invoices.First(i => i.Status == 200);

        var first = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
        Assert.NotNull(first.UpoDownloadUrl);
        Assert.Equal(sandboxWithShortLinks.Clock.GetUtcNow().AddSeconds(30), first.UpoDownloadUrlExpirationDate!.Value, TimeSpan.FromSeconds(2));
        using var plain = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(first.UpoDownloadUrl, Ct)).StatusCode);

        var url = first.UpoDownloadUrl!.ToString();
        var tampered = url[..^2] + (url[^2] == 'A' ? 'B' : 'A') + url[^1];
        using var forged = await plain.GetAsync(tampered, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("application/xml", forged.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<Code>AuthenticationFailed</Code>", await forged.Content.ReadAsStringAsync(Ct));

        sandboxWithShortLinks.Clock.Advance(TimeSpan.FromSeconds(31));
        using var expired = await plain.GetAsync(first.UpoDownloadUrl, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("expiry", await expired.Content.ReadAsStringAsync(Ct));

        // A new status call issues a new link that works again.
        var again = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
        Assert.NotEqual(first.UpoDownloadUrl, again.UpoDownloadUrl);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(again.UpoDownloadUrl, Ct)).StatusCode);
    }

    [Fact]
    public async Task EveryLinkOfAPageLeadsToItsOwnInvoicesUpoAndNoOther()
    {
        var client = await sandbox.ClientAsync(Nip);
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Invoices.Count(i => i.Status == 200) >= 5 && s.Invoices.Any(i => i.Status != 200));
        var page = await client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, pageSize: 250, cancellationToken: Ct);
        using var plain = new HttpClient();
        var linked = page.Invoices.Where(i => i.UpoDownloadUrl is not null).ToList();
        Assert.Equal(page.Invoices.Count(i => i.Status.Code == 200), linked.Count);
        foreach (var invoice in linked)
        {
            var body = await plain.GetStringAsync(invoice.UpoDownloadUrl, Ct);
            Assert.Contains(invoice.KsefNumber!, body, StringComparison.Ordinal);
        }

        // The payload names the invoice by its ordinal number: another number under the same MAC is refused.
        var url = linked[0].UpoDownloadUrl!.ToString();
        var slash = url.LastIndexOf('/') + 1;
        var dot = url.IndexOf('.', slash);
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(url.AsSpan(slash, dot - slash))).Split('|');
        Assert.Equal(["invoice", session.ReferenceNumber, linked[0].OrdinalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)], payload[..3]);
        payload[2] = linked[1].OrdinalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var swapped = url[..slash] + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(string.Join('|', payload))) + url[dot..];
        using var forged = await plain.GetAsync(swapped, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("Signature did not match", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionUpoPageLinksLeadToTheirPages()
    {
        var client = await sandbox.ClientAsync(Nip);
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Status == 200);
        var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, Ct);
        using var plain = new HttpClient();
        foreach (var page in status.Upo!.Pages)
        {
            var byLink = await plain.GetByteArrayAsync(page.DownloadUrl, Ct);
            var byReference = await client.SessionStatus.GetSessionUpoAsync(session.ReferenceNumber, page.ReferenceNumber, Ct);
            Assert.Equal(byReference.Content, System.Text.Encoding.UTF8.GetString(byLink));
        }
    }

    [Fact]
    public async Task NoUpoForAnInvoiceWithoutKsefNumberGives21178()
    {
        var client = await sandbox.ClientAsync(Nip);
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Invoices.Any(i => i.Status == 450));
        var rejected = session.Invoices.First(i => i.Status == 450);
        var error = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(session.ReferenceNumber, rejected.ReferenceNumber, Ct));
        Assert.Equal(21178, error.ExceptionCode);
        var status = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, rejected.ReferenceNumber, Ct);
        Assert.Null(status.UpoDownloadUrl);
        var open = sandbox.Store.SessionsOf(Nip).First(s => s.Status == 100);
        Assert.Null((await client.SessionStatus.GetSessionStatusAsync(open.ReferenceNumber, Ct)).Upo);
    }

    [Fact]
    public async Task ATamperedUpoFailsVerification()
    {
        var certificate = await PublishedCertificateAsync();
        var client = await sandbox.ClientAsync(Nip);
        var session = sandbox.Store.SessionsOf(Nip).First(s => s.Status == 200);
        var invoice = session.Invoices.First(i => i.Status == 200);
        var upo = await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(session.ReferenceNumber, invoice.ReferenceNumber, Ct);
        var altered = upo.Content.Replace(invoice.InvoiceNumber!, invoice.InvoiceNumber + "X");
        Assert.NotEqual(upo.Content, altered);
        Assert.ThrowsAny<Exception>(() => Verify(System.Text.Encoding.UTF8.GetBytes(altered), certificate));
        using var other = RSA.Create(2048);
        var stranger = new CertificateRequest("CN=Not the sandbox", other, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.ThrowsAny<Exception>(() => Verify(System.Text.Encoding.UTF8.GetBytes(upo.Content), stranger));
    }
}
