using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Xades;

namespace KsefGen.Runtime.Tests.Auth;

public sealed class KsefXadesSignerTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private const string Xades = KsefXadesSigner.XadesNamespace;
    private const string Ds = SignedXml.XmlDsigNamespaceUrl;

    // Making keys is slow: one certificate of each kind for the whole class.
    private static readonly Lazy<X509Certificate2> Rsa = new(() => KsefTestCertificates.ForNip(KsefAuthTokenRequestTests.Nip, KsefKeyType.Rsa));
    private static readonly Lazy<X509Certificate2> Ecdsa = new(() => KsefTestCertificates.ForNip(KsefAuthTokenRequestTests.Nip, KsefKeyType.Ecdsa));

    private static X509Certificate2 Certificate(KsefKeyType keyType) => keyType == KsefKeyType.Rsa ? Rsa.Value : Ecdsa.Value;

    private static XmlDocument Request() => KsefAuthTokenRequest.Create(KsefAuthTokenRequestTests.Challenge, KsefContextIdentifier.Nip(KsefAuthTokenRequestTests.Nip));

    private static XmlDocument Load(byte[] signed)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.Load(new MemoryStream(signed));
        return document;
    }

    private static XmlElement SignatureOf(XmlDocument document) =>
        Assert.IsType<XmlElement>(Assert.Single(document.GetElementsByTagName("Signature", Ds).Cast<XmlNode>()));

    /// <summary>What a relying party does: SignedXml over the parsed bytes, with the certificate from KeyInfo.</summary>
    private static (bool Valid, SignedXml Signed) Verify(byte[] signed)
    {
        XmlDsigAlgorithms.EnsureRegistered();
        var document = Load(signed);
        var signedXml = new SignedXml(document);
        signedXml.LoadXml(SignatureOf(document));
        var certificate = signedXml.KeyInfo.OfType<KeyInfoX509Data>().Single().Certificates!.Cast<X509Certificate2>().Single();
        return (signedXml.CheckSignature(certificate, verifySignatureOnly: true), signedXml);
    }

    [Theory]
    [InlineData(KsefKeyType.Rsa, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")]
    [InlineData(KsefKeyType.Ecdsa, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256")]
    public void SignedRequestVerifiesWithSignedXmlAfterARoundTripThroughBytes(KsefKeyType keyType, string signatureMethod)
    {
        var signed = KsefXadesSigner.Sign(Request(), Certificate(keyType));

        var (valid, signedXml) = Verify(signed);
        Assert.True(valid);
        Assert.Equal(signatureMethod, signedXml.SignedInfo!.SignatureMethod);
        Assert.Equal(SignedXml.XmlDsigExcC14NTransformUrl, signedXml.SignedInfo.CanonicalizationMethod);
        var references = signedXml.SignedInfo.References.Cast<Reference>().ToList();
        Assert.Equal(2, references.Count);
        Assert.Equal("", references[0].Uri);
        Assert.Equal([SignedXml.XmlDsigEnvelopedSignatureTransformUrl, SignedXml.XmlDsigExcC14NTransformUrl],
            Enumerable.Range(0, references[0].TransformChain.Count).Select(i => references[0].TransformChain[i].Algorithm));
        Assert.Equal(KsefXadesSigner.SignedPropertiesType, references[1].Type);
        Assert.All(references, r => Assert.Equal(SignedXml.XmlDsigSHA256Url, r.DigestMethod));
        Assert.Equal(Certificate(keyType).Thumbprint, signedXml.KeyInfo.OfType<KeyInfoX509Data>().Single().Certificates!.Cast<X509Certificate2>().Single().Thumbprint);
    }

    [Fact]
    public void SignatureIsTheLastChildOfTheRootAndItsQualifyingPropertiesPointAtIt()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 10, 1, 12, 30, 15, TimeSpan.FromHours(2)));
        var certificate = Certificate(KsefKeyType.Rsa);
        var document = Load(KsefXadesSigner.Sign(Request(), certificate, clock));

        var signature = SignatureOf(document);
        Assert.Same(document.DocumentElement!.LastChild, signature);
        var namespaces = new XmlNamespaceManager(document.NameTable);
        namespaces.AddNamespace("ds", Ds);
        namespaces.AddNamespace("xades", Xades);
        var qualifying = (XmlElement)signature.SelectSingleNode("ds:Object/xades:QualifyingProperties", namespaces)!;
        Assert.Equal("#" + signature.GetAttribute("Id"), qualifying.GetAttribute("Target"));
        var properties = (XmlElement)qualifying.SelectSingleNode("xades:SignedProperties", namespaces)!;
        var reference = (XmlElement)signature.SelectSingleNode($"ds:SignedInfo/ds:Reference[@Type='{KsefXadesSigner.SignedPropertiesType}']", namespaces)!;
        Assert.Equal("#" + properties.GetAttribute("Id"), reference.GetAttribute("URI"));

        var signed = properties.SelectSingleNode("xades:SignedSignatureProperties", namespaces)!;
        Assert.Equal("2025-10-01T10:30:15Z", signed.SelectSingleNode("xades:SigningTime", namespaces)!.InnerText);
        var cert = signed.SelectSingleNode("xades:SigningCertificate/xades:Cert", namespaces)!;
        Assert.Equal(SignedXml.XmlDsigSHA256Url, ((XmlElement)cert.SelectSingleNode("xades:CertDigest/ds:DigestMethod", namespaces)!).GetAttribute("Algorithm"));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(certificate.RawData)), cert.SelectSingleNode("xades:CertDigest/ds:DigestValue", namespaces)!.InnerText);
        Assert.Equal(certificate.Issuer, cert.SelectSingleNode("xades:IssuerSerial/ds:X509IssuerName", namespaces)!.InnerText);
        var serial = System.Numerics.BigInteger.Parse(cert.SelectSingleNode("xades:IssuerSerial/ds:X509SerialNumber", namespaces)!.InnerText, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(certificate.SerialNumber.TrimStart('0'), serial.ToString("X", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0'));
    }

    [Fact]
    public void SignedBytesAreUtf8WithoutAByteOrderMark()
    {
        var signed = KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Rsa));

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><AuthTokenRequest", Encoding.UTF8.GetString(signed), StringComparison.Ordinal);
    }

    [Fact]
    public void TheCallersDocumentStaysUnsigned()
    {
        var request = Request();
        var before = request.OuterXml;
        KsefXadesSigner.Sign(request, Certificate(KsefKeyType.Rsa));
        Assert.Equal(before, request.OuterXml);
    }

    [Fact]
    public void EcdsaSignatureValueIsRConcatenatedWithSFor64BytesOnP256()
    {
        var (valid, signedXml) = Verify(KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Ecdsa)));

        Assert.True(valid);
        Assert.Equal(64, signedXml.SignatureValue!.Length);
    }

    [Theory]
    [InlineData(KsefKeyType.Rsa)]
    [InlineData(KsefKeyType.Ecdsa)]
    public void ChangingTheChallengeAfterSigningBreaksTheSignature(KsefKeyType keyType)
    {
        var signed = KsefXadesSigner.Sign(Request(), Certificate(keyType));

        var tampered = SandboxUpo.Replace(signed, KsefAuthTokenRequestTests.Challenge, "20250514-CR-226FB7B000-3ACF9BE4C0-11");
        Assert.False(Verify(tampered).Valid);
    }

    [Fact]
    public void ChangingTheSigningTimeBreaksTheSignatureSoTheSignedPropertiesAreCovered()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 10, 1, 10, 30, 15, TimeSpan.Zero));
        var signed = KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Rsa), clock);

        Assert.True(Verify(signed).Valid);
        Assert.False(Verify(SandboxUpo.Replace(signed, "2025-10-01T10:30:15Z", "2025-10-01T10:30:16Z")).Valid);
    }

    [Fact]
    public void CertificateWithoutPrivateKeyIsRefused()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(Certificate(KsefKeyType.Rsa).RawData);

        var e = Assert.Throws<ArgumentException>(() => KsefXadesSigner.Sign(Request(), publicOnly));
        Assert.Equal("certificate", e.ParamName);
        Assert.Contains("no private key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyGivenApartFromTheCertificateSigns()
    {
        var certificate = Certificate(KsefKeyType.Ecdsa);
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        using var key = certificate.GetECDsaPrivateKey()!;

        Assert.True(Verify(KsefXadesSigner.Sign(Request(), publicOnly, key)).Valid);
    }

    [Fact]
    public void KeyThatIsNotTheCertificatesOrTooShortIsRefused()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("privateKey", Assert.Throws<ArgumentException>(() => KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Ecdsa), stranger)).ParamName);

        using var small = System.Security.Cryptography.RSA.Create(1024);
        using var smallCertificate = new CertificateRequest("CN=small", small, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var e = Assert.Throws<ArgumentException>(() => KsefXadesSigner.Sign(Request(), smallCertificate, small));
        Assert.Contains("2048", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyAnUnsignedAuthTokenRequestIsSigned()
    {
        var other = new XmlDocument();
        other.LoadXml("<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"/>");
        Assert.Equal("authTokenRequest", Assert.Throws<ArgumentException>(() => KsefXadesSigner.Sign(other, Certificate(KsefKeyType.Rsa))).ParamName);

        var signedOnce = Load(KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Rsa)));
        Assert.Contains("signed already", Assert.Throws<ArgumentException>(() => KsefXadesSigner.Sign(signedOnce, Certificate(KsefKeyType.Rsa))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedRequestWithoutItsSignatureStillValidatesAgainstTheSchema()
    {
        // schemat_auth_v2-0.xsd has no place for ds:Signature (no xsd:any, no import of the XML-DSig schema), so only
        // the request around the signature can be validated, as a verifier would after taking the signature out.
        var document = Load(KsefXadesSigner.Sign(Request(), Certificate(KsefKeyType.Ecdsa)));
        document.DocumentElement!.RemoveChild(SignatureOf(document));
        KsefAuthTokenRequestTests.ValidateAgainstSchema(document);
    }

    [Fact]
    public void CertificateAndKeyLoadFromPemFilesAndFromPkcs12()
    {
        var certificate = Certificate(KsefKeyType.Rsa);
        var dir = Directory.CreateTempSubdirectory("ksefgen-xades-");
        try
        {
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            var encryptedKeyPath = Path.Combine(dir.FullName, "key-encrypted.pem");
            var bothPath = Path.Combine(dir.FullName, "both.pem");
            var pfxPath = Path.Combine(dir.FullName, "cert.pfx");
            using var rsa = certificate.GetRSAPrivateKey()!;
            File.WriteAllText(certPath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(encryptedKeyPath, rsa.ExportEncryptedPkcs8PrivateKeyPem("tajne",
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
            File.WriteAllText(bothPath, certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12, "haslo"));

            foreach (var loaded in new[]
            {
                KsefXadesSigner.LoadCertificate(certPath, keyPath),
                KsefXadesSigner.LoadCertificate(certPath, encryptedKeyPath, "tajne"),
                KsefXadesSigner.LoadCertificate(bothPath),
                KsefXadesSigner.LoadCertificate(pfxPath, password: "haslo"),
            })
            {
                using (loaded)
                {
                    Assert.Equal(certificate.Thumbprint, loaded.Thumbprint);
                    Assert.True(loaded.HasPrivateKey);
                    Assert.True(Verify(KsefXadesSigner.Sign(Request(), loaded)).Valid);
                }
            }

            var noKey = Assert.Throws<ArgumentException>(() => KsefXadesSigner.LoadCertificate(certPath));
            Assert.Contains("private key", noKey.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => KsefXadesSigner.LoadCertificate(pfxPath, password: "zle"));
            Assert.Throws<FileNotFoundException>(() => KsefXadesSigner.LoadCertificate(Path.Combine(dir.FullName, "missing.pem")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void CertificateMissingFromTheStoreIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => KsefXadesSigner.FindInStore("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33"));
        Assert.Contains("00112233445566778899AABBCCDDEEFF00112233", e.Message, StringComparison.Ordinal);
    }

    // xmlsec1 (libxmlsec1, Debian package) verifies what SignedXml made: a verifier nobody here wrote. Skipped when
    // it is not installed, unless KSEFGEN_REQUIRE_XMLSEC=1 (set by .ci/run, which installs it).
    private static string? Xmlsec =>
        new[] { "/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1" }.FirstOrDefault(File.Exists);

    [Theory]
    [InlineData(KsefKeyType.Rsa)]
    [InlineData(KsefKeyType.Ecdsa)]
    public async Task Xmlsec1VerifiesTheSignedRequestAndRefusesATamperedOne(KsefKeyType keyType)
    {
        var required = Environment.GetEnvironmentVariable("KSEFGEN_REQUIRE_XMLSEC") == "1";
        Assert.SkipWhen(Xmlsec is null && !required, "xmlsec1 is not installed (apt-get install xmlsec1); .ci/run installs it.");
        Assert.True(Xmlsec is not null, "KSEFGEN_REQUIRE_XMLSEC=1 but xmlsec1 is not installed");

        var ct = TestContext.Current.CancellationToken;
        var certificate = Certificate(keyType);
        var signed = KsefXadesSigner.Sign(Request(), certificate, new FixedClock(new DateTimeOffset(2025, 10, 1, 10, 30, 15, TimeSpan.Zero)));
        var dir = Directory.CreateTempSubdirectory("ksefgen-xmlsec-");
        try
        {
            var requestPath = Path.Combine(dir.FullName, "request.xml");
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            await File.WriteAllBytesAsync(requestPath, signed, ct);
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), ct);

            var (exitCode, output) = await RunXmlsecAsync(requestPath, certPath, ct);
            Assert.Equal(0, exitCode);
            Assert.Contains("SignedInfo References (ok/all): 2/2", output, StringComparison.Ordinal);

            await File.WriteAllBytesAsync(requestPath, SandboxUpo.Replace(signed, KsefAuthTokenRequestTests.Challenge, "20250514-CR-226FB7B000-3ACF9BE4C0-11"), ct);
            Assert.NotEqual(0, (await RunXmlsecAsync(requestPath, certPath, ct)).ExitCode);

            // The signed properties are checked too, not only the request.
            await File.WriteAllBytesAsync(requestPath, SandboxUpo.Replace(signed, "2025-10-01T10:30:15Z", "2025-10-01T10:30:16Z"), ct);
            Assert.NotEqual(0, (await RunXmlsecAsync(requestPath, certPath, ct)).ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunXmlsecAsync(string document, string certificate, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Xmlsec!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The certificate is given as the trusted one (self-signed, so it is its own root); the Id attribute of
        // xades:SignedProperties is declared so the "#..." reference resolves (there is no DTD to say so).
        foreach (var arg in new[] { "--verify", "--trusted-pem", certificate, "--id-attr:Id", $"{Xades}:SignedProperties", document })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync(ct) + await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        return (process.ExitCode, output);
    }
}
