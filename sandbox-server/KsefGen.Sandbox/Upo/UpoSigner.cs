using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace KsefGen.Sandbox.Upo;

/// <summary>
/// Signs UPO documents the way the Ministry does: an enveloped XML-DSig signature (RSA-SHA256) in XAdES-BES form,
/// the last child of Potwierdzenie, with the signing certificate in KeyInfo and a signed SigningTime and
/// SigningCertificate. The certificate is made at start (or loaded) and published, so clients can trust it.
/// </summary>
internal sealed class UpoSigner
{
    /// <summary>The XAdES namespace.</summary>
    public const string XadesNamespace = "http://uri.etsi.org/01903/v1.3.2#";

    private readonly TimeProvider _clock;

    /// <summary>A signer with a new self-signed RSA-2048 certificate.</summary>
    public UpoSigner(TimeProvider clock) : this(clock, CreateCertificate(clock)) { }

    /// <summary>A signer with the given certificate (it must carry an RSA private key).</summary>
    public UpoSigner(TimeProvider clock, X509Certificate2 certificate)
    {
        _clock = clock;
        Certificate = certificate;
    }

    /// <summary>The signing certificate (with private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate as PEM, for clients to add to their trust list.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Signs a UPO and returns its UTF-8 bytes.</summary>
    public byte[] Sign(XDocument upo)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        using (var reader = upo.CreateReader()) document.Load(reader);

        var signatureId = "Signature-" + Guid.NewGuid().ToString("N");
        var propertiesId = "SignedProperties-" + signatureId[10..];
        var signedXml = new XadesSignedXml(document) { SigningKey = Certificate.GetRSAPrivateKey() };
        signedXml.Signature.Id = signatureId;
        signedXml.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signedXml.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;

        var whole = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        whole.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        whole.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(whole);

        var properties = new Reference("#" + propertiesId) { DigestMethod = SignedXml.XmlDsigSHA256Url, Type = "http://uri.etsi.org/01903#SignedProperties" };
        properties.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(properties);

        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(Certificate));
        signedXml.KeyInfo = keyInfo;
        signedXml.AddObject(new DataObject { Data = QualifyingProperties(document, signatureId, propertiesId).ChildNodes });

        signedXml.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signedXml.GetXml(), deep: true));

        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }
        return stream.ToArray();
    }

    private XmlElement QualifyingProperties(XmlDocument owner, string signatureId, string propertiesId)
    {
        var certificateDigest = Convert.ToBase64String(SHA256.HashData(Certificate.RawData));
        var serial = new System.Numerics.BigInteger(Certificate.GetSerialNumber(), isUnsigned: true, isBigEndian: false).ToString(CultureInfo.InvariantCulture);
        var xml = $"""
            <wrapper><xades:QualifyingProperties xmlns:xades="{XadesNamespace}" xmlns:ds="{SignedXml.XmlDsigNamespaceUrl}" Target="#{signatureId}"><xades:SignedProperties Id="{propertiesId}"><xades:SignedSignatureProperties><xades:SigningTime>{_clock.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="{SignedXml.XmlDsigSHA256Url}"/><ds:DigestValue>{certificateDigest}</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>{System.Security.SecurityElement.Escape(Certificate.Issuer)}</ds:X509IssuerName><ds:X509SerialNumber>{serial}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></wrapper>
            """;
        var wrapper = new XmlDocument { PreserveWhitespace = true };
        wrapper.LoadXml(xml);
        return (XmlElement)owner.ImportNode(wrapper.DocumentElement!, deep: true);
    }

    private static X509Certificate2 CreateCertificate(TimeProvider clock)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=KsefGen Sandbox UPO, O=KsefGen, C=PL", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        var now = clock.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        // Re-import so the private key is usable on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>SignedXml that also finds Id'd elements inside its own ds:Object (the XAdES SignedProperties) before they are in the document.</summary>
    private sealed class XadesSignedXml(XmlDocument document) : SignedXml(document)
    {
        public override XmlElement? GetIdElement(XmlDocument? document, string idValue)
        {
            var element = base.GetIdElement(document, idValue);
            if (element is not null) return element;
            foreach (DataObject dataObject in Signature.ObjectList)
            {
                if (dataObject.GetXml().SelectSingleNode($"//*[@Id='{idValue}']") is XmlElement found) return found;
            }
            return null;
        }
    }
}
