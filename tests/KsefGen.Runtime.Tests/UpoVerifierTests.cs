using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using KsefGen.Runtime.Upo;
using KsefGen.Sandbox.Upo;
using F = KsefGen.Runtime.Upo.UpoVerificationFailure;

namespace KsefGen.Runtime.Tests;

public sealed class UpoVerifierTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static X509Certificate2 SandboxCertificate => X509Certificate2.CreateFromPem(SandboxUpo.Signer.CertificatePem);

    private static UpoVerifier Pinned(X509Certificate2? certificate = null, System.Xml.Schema.XmlSchemaSet? schemas = null, bool acceptSuffix = true)
    {
        var options = new UpoVerifierOptions { Schemas = schemas, AcceptEnvironmentSuffixInReceiverName = acceptSuffix };
        options.PinnedCertificates.Add(certificate ?? SandboxCertificate);
        return new UpoVerifier(options);
    }

    private static UpoVerificationException Fails(F failure, UpoVerifier verifier, byte[] upo, string? hash = null)
    {
        var e = Assert.Throws<UpoVerificationException>(() => verifier.Verify(upo, hash));
        Assert.True(e.Failure == failure, $"expected {failure}, got {e.Failure}: {e.Message}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    [Fact]
    public void SandboxUpoVerifiesAgainstThePublishedCertificate()
    {
        var session = SandboxUpo.Session(2);
        var upo = SandboxUpo.SignedInvoiceUpo(session);
        var result = Pinned().Verify(upo, UpoHash.Compute(upo));

        Assert.Equal(UpoTrustBasis.PinnedCertificate, result.TrustBasis);
        Assert.True(result.HashVerified);
        Assert.False(result.SchemaValidated);
        Assert.Equal(SandboxCertificate.Thumbprint, result.SignerCertificate.Thumbprint);
        Assert.Equal(session.Invoices[0].KsefNumber, Assert.Single(result.Document.Documents).KsefNumber);
        var signingTime = Regex.Match(Encoding.UTF8.GetString(upo), "<xades:SigningTime>([^<]+)<").Groups[1].Value;
        Assert.Equal(XmlConvert.ToDateTimeOffset(signingTime), result.SigningTime);
    }

    [Fact]
    public void SandboxUpoValidatesAgainstTheOfficialSchema()
    {
        var schemas = SharedSpec.RequireSchemas();
        var upo = SandboxUpo.SignedSessionUpo(SandboxUpo.Session(4));
        var result = Pinned(schemas: schemas).Verify(upo);
        Assert.True(result.SchemaValidated);
        Assert.False(result.HashVerified);
        Assert.Equal(4, result.Document.Documents.Count);
    }

    [Fact]
    public async Task VerifyAsyncReadsTheStream()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        using var stream = new MemoryStream(upo);
        var result = await Pinned().VerifyAsync(stream, UpoHash.Compute(upo), Ct);
        Assert.True(result.HashVerified);
        using var again = new MemoryStream(upo);
        var e = await Assert.ThrowsAsync<UpoVerificationException>(() => Pinned().VerifyAsync(again, UpoHash.Compute([1, 2, 3]), Ct));
        Assert.Equal(F.HashMismatch, e.Failure);
    }

    [Fact]
    public void EveryOfficialSampleSignedByUsValidatesAgainstItsSchema()
    {
        var schemas = SharedSpec.RequireSchemas();
        foreach (var (_, name, path) in SharedSpec.SampleUpos())
        {
            var signed = SandboxUpo.Signer.Sign(XDocument.Load(path, LoadOptions.PreserveWhitespace));
            var result = Pinned(schemas: schemas).Verify(signed);
            Assert.True(result.SchemaValidated, name);
            Assert.Equal(UpoDocument.Parse(File.ReadAllBytes(path)).Documents.Select(d => d.KsefNumber), result.Document.Documents.Select(d => d.KsefNumber));
        }
    }

    [Fact]
    public void TheTestEnvironmentReceiverNameBreaksTheFixedValueUnlessAccepted()
    {
        var schemas = SharedSpec.RequireSchemas();
        var signed = SandboxUpo.Signer.Sign(XDocument.Load(Path.Combine(SharedSpec.UpoDirectory, "v4-3", "upo-faktura-kontekst-id-nip.xml"), LoadOptions.PreserveWhitespace));
        Assert.Equal("Ministerstwo Finansów - środowisko testowe (TE)", Pinned(schemas: schemas).Verify(signed).Document.ReceivingEntityName);
        var e = Fails(F.SchemaViolation, Pinned(schemas: schemas, acceptSuffix: false), signed);
        var error = Assert.Single(e.SchemaErrors);
        Assert.Equal(3, error.LineNumber);
        Assert.Contains("NazwaPodmiotuPrzyjmujacego", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaViolationsCarryTheirLine()
    {
        var schemas = SharedSpec.RequireSchemas();
        var signed = SandboxUpo.Signer.Sign(XDocument.Load(Path.Combine(SharedSpec.UpoDirectory, "v4-3", "upo-sesja-kontekst-id-nip.xml"), LoadOptions.PreserveWhitespace));
        var text = Encoding.UTF8.GetString(signed);
        var at = text.IndexOf("<NumerKSeFDokumentu>", StringComparison.Ordinal);
        var line = text[..at].Count(c => c == '\n') + 1;
        var broken = SandboxUpo.Replace(signed, "<NumerKSeFDokumentu>5265877635", "<NumerKSeFDokumentu>0265877635");

        var e = Fails(F.SchemaViolation, Pinned(schemas: schemas), broken);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(line, e.SchemaErrors[0].LineNumber);
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
        Assert.Contains("NumerKSeFDokumentu", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Foreign() => SandboxUpo.Signer.Sign(XDocument.Parse("<receipt xmlns=\"urn:example:other\"><id>1</id></receipt>"));

    [Fact]
    public void AnUnknownNamespaceIsASchemaViolationWhenSchemasAreSupplied() =>
        Assert.Contains("No supplied schema declares", Fails(F.SchemaViolation, Pinned(schemas: SharedSpec.RequireSchemas()), Foreign()).Message, StringComparison.Ordinal);

    [Fact]
    public void ASignedTrustedDocumentThatIsNoUpoIsUnrecognisedWithoutSchemas() =>
        Assert.IsType<UpoFormatException>(Fails(F.UnrecognisedDocument, Pinned(), Foreign()).InnerException);

    [Fact]
    public void HashMismatch()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        Assert.Contains("incomplete or altered", Fails(F.HashMismatch, Pinned(), upo, UpoHash.Compute(upo.AsSpan(1))).Message, StringComparison.Ordinal);
        Assert.Contains("not a Base64 SHA-256", Fails(F.HashMismatch, Pinned(), upo, "not base64!").Message, StringComparison.Ordinal);
        Assert.Contains("not a Base64 SHA-256", Fails(F.HashMismatch, Pinned(), upo, Convert.ToBase64String(new byte[16])).Message, StringComparison.Ordinal);
        // The hash is checked first: a truncated download is a hash mismatch, not an XML error.
        Fails(F.HashMismatch, Pinned(), upo[..^10], UpoHash.Compute(upo));
        Assert.True(UpoHash.Matches(upo, " " + UpoHash.Compute(upo) + " "));
        Assert.False(UpoHash.Matches(upo, null));
    }

    [Fact]
    public void MalformedXml()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        var e = Fails(F.MalformedXml, Pinned(), upo[..^10]);
        Assert.Equal(1, e.LineNumber);
        Assert.IsType<XmlException>(e.InnerException);
        Fails(F.MalformedXml, Pinned(), []);
        Fails(F.MalformedXml, Pinned(), "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b \"c\">]><a>&b;</a>"u8.ToArray());
    }

    [Fact]
    public void MissingSignature()
    {
        var session = SandboxUpo.Session(1);
        var unsigned = SandboxUpo.Unsigned(UpoDocumentBuilder.Invoice(session, session.Invoices[0], "v4-3"));
        Assert.Contains("no XML-DSig signature", Fails(F.MissingSignature, Pinned(), unsigned).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangedContentBreaksTheSignature()
    {
        var session = SandboxUpo.Session(1);
        var upo = SandboxUpo.SignedInvoiceUpo(session);
        var invoiceNumber = session.Invoices[0].InvoiceNumber!;
        var changed = SandboxUpo.Replace(upo, $">{invoiceNumber}<", $">{invoiceNumber[..^1]}9<");
        Assert.Contains("changed after signing", Fails(F.InvalidSignature, Pinned(), changed).Message, StringComparison.Ordinal);

        // One byte of the seller NIP in the document body.
        var nip = session.ContextNip;
        var otherNip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        Fails(F.InvalidSignature, Pinned(), SandboxUpo.Replace(upo, $"<NipSprzedawcy>{nip}<", $"<NipSprzedawcy>{otherNip}<"));
    }

    [Fact]
    public void ChangedSignatureValueOrSignedPropertiesBreakTheSignature()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        var text = Encoding.UTF8.GetString(upo);
        var value = Regex.Match(text, "<SignatureValue>([^<]+)<").Groups[1].Value;
        var flipped = (value[0] == 'A' ? 'B' : 'A') + value[1..];
        Fails(F.InvalidSignature, Pinned(), SandboxUpo.Replace(upo, value, flipped));

        var time = Regex.Match(text, "<xades:SigningTime>([^<]+)<").Groups[1].Value;
        Fails(F.InvalidSignature, Pinned(), SandboxUpo.Replace(upo, $">{time}<", ">2001-01-01T00:00:00Z<"));
    }

    [Fact]
    public void ASignatureThatDoesNotCoverTheWholeDocumentIsRejected()
    {
        var session = SandboxUpo.Session(1);
        var document = new XmlDocument { PreserveWhitespace = true };
        document.Load(new MemoryStream(SandboxUpo.Unsigned(UpoDocumentBuilder.Invoice(session, session.Invoices[0], "v4-3"))));
        var signedXml = new SignedXml(document) { SigningKey = SandboxUpo.Signer.Certificate.GetRSAPrivateKey() };
        var reference = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigExcC14NTransform()); // no enveloped-signature transform
        signedXml.AddReference(reference);
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(SandboxUpo.Signer.Certificate));
        signedXml.KeyInfo = keyInfo;
        signedXml.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signedXml.GetXml(), deep: true));
        var bytes = Encoding.UTF8.GetBytes(document.OuterXml);
        Assert.Contains("whole document", Fails(F.InvalidSignature, Pinned(), bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalReferencesMisplacedAndRepeatedSignaturesAreRejected()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        var external = SandboxUpo.Replace(upo, "</SignedInfo>",
            "<Reference URI=\"http://example.invalid/x\"><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\" /><DigestValue>AAAA</DigestValue></Reference></SignedInfo>");
        Assert.Contains("outside the document", Fails(F.InvalidSignature, Pinned(), external).Message, StringComparison.Ordinal);

        var text = Encoding.UTF8.GetString(upo);
        var start = text.IndexOf("<Signature ", StringComparison.Ordinal);
        var end = text.IndexOf("</Signature>", StringComparison.Ordinal) + "</Signature>".Length;
        var signature = text[start..end];
        var withoutSignature = text.Remove(start, end - start);
        var moved = withoutSignature.Replace("</Dokument>", signature + "</Dokument>", StringComparison.Ordinal);
        Assert.Contains("not a child of the root", Fails(F.InvalidSignature, Pinned(), Encoding.UTF8.GetBytes(moved)).Message, StringComparison.Ordinal);

        var twice = text.Insert(end, signature);
        Assert.Contains("2 signatures", Fails(F.InvalidSignature, Pinned(), Encoding.UTF8.GetBytes(twice)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStrangersValidSignatureIsUntrusted()
    {
        var stranger = new UpoSigner(TimeProvider.System);
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1), signer: stranger);
        var e = Fails(F.UntrustedCertificate, Pinned(), upo);
        Assert.Contains("KsefGen Sandbox UPO", e.Message, StringComparison.Ordinal);
        Assert.Contains("not one of the pinned", e.Message, StringComparison.Ordinal);

        // Pinning the stranger's certificate makes the same bytes verify.
        Assert.Equal(UpoTrustBasis.PinnedCertificate, Pinned(X509Certificate2.CreateFromPem(stranger.CertificatePem)).Verify(upo).TrustBasis);
    }

    [Fact]
    public void PinnedCertificatesVerifyASignatureWithoutKeyInfo()
    {
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1));
        var text = Encoding.UTF8.GetString(upo);
        var start = text.IndexOf("<KeyInfo>", StringComparison.Ordinal);
        var end = text.IndexOf("</KeyInfo>", StringComparison.Ordinal) + "</KeyInfo>".Length;
        var bare = Encoding.UTF8.GetBytes(text.Remove(start, end - start)); // KeyInfo is not signed, so removing it keeps the signature valid
        Assert.Equal(UpoTrustBasis.PinnedCertificate, Pinned().Verify(bare).TrustBasis);

        var rootsOnly = new UpoVerifierOptions { RevocationMode = X509RevocationMode.NoCheck };
        rootsOnly.TrustedRoots.Add(SandboxCertificate);
        Assert.Contains("carries no certificate", Fails(F.InvalidSignature, new UpoVerifier(rootsOnly), bare).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainToATrustedRoot()
    {
        var now = DateTimeOffset.UtcNow;
        using var root = TestCertificates.Root("KsefGen Test Root", now.AddDays(-10), now.AddYears(5));
        using var leaf = TestCertificates.Leaf(root, "KsefGen Test UPO Signer", now.AddDays(-1), now.AddYears(1));
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1), signer: new UpoSigner(TimeProvider.System, leaf));

        var options = new UpoVerifierOptions { RevocationMode = X509RevocationMode.NoCheck };
        options.TrustedRoots.Add(X509CertificateLoader.LoadCertificate(root.RawData));
        var result = new UpoVerifier(options).Verify(upo);
        Assert.Equal(UpoTrustBasis.TrustedRoot, result.TrustBasis);
        Assert.Equal(leaf.Thumbprint, result.SignerCertificate.Thumbprint);

        using var otherRoot = TestCertificates.Root("Somebody Else", now.AddDays(-10), now.AddYears(5));
        var wrong = new UpoVerifierOptions { RevocationMode = X509RevocationMode.NoCheck };
        wrong.TrustedRoots.Add(X509CertificateLoader.LoadCertificate(otherRoot.RawData));
        var e = Fails(F.UntrustedCertificate, new UpoVerifier(wrong), upo);
        Assert.Contains("does not chain to a trusted root", e.Message, StringComparison.Ordinal);
        Assert.Contains("KsefGen Test UPO Signer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainValidityIsJudgedAtTheVerificationTime()
    {
        var now = DateTimeOffset.UtcNow;
        using var root = TestCertificates.Root("KsefGen Old Root", now.AddYears(-5), now.AddYears(5));
        using var expired = TestCertificates.Leaf(root, "KsefGen Expired Signer", now.AddYears(-3), now.AddYears(-1));
        var upo = SandboxUpo.SignedInvoiceUpo(SandboxUpo.Session(1), signer: new UpoSigner(TimeProvider.System, expired));

        var today = new UpoVerifierOptions { RevocationMode = X509RevocationMode.NoCheck };
        today.TrustedRoots.Add(X509CertificateLoader.LoadCertificate(root.RawData));
        Assert.Contains(nameof(X509ChainStatusFlags.NotTimeValid), Fails(F.UntrustedCertificate, new UpoVerifier(today), upo).Message, StringComparison.Ordinal);

        var backThen = new UpoVerifierOptions { RevocationMode = X509RevocationMode.NoCheck, VerificationTime = now.AddYears(-2) };
        backThen.TrustedRoots.Add(X509CertificateLoader.LoadCertificate(root.RawData));
        Assert.Equal(UpoTrustBasis.TrustedRoot, new UpoVerifier(backThen).Verify(upo).TrustBasis);
    }

    [Fact]
    public void AVerifierNeedsSomethingToTrust()
    {
        Assert.Throws<ArgumentException>(() => new UpoVerifier(new UpoVerifierOptions()));
        Assert.Throws<ArgumentNullException>(() => new UpoVerifier(null!));
    }
}
