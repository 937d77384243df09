using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using KsefGen.Runtime.Xades;

namespace KsefGen.Runtime.Auth;

/// <summary>
/// Signs an <c>AuthTokenRequest</c> (see <see cref="KsefAuthTokenRequest"/>) the way KSeF expects for
/// <c>POST /auth/xades-signature</c>: an enveloped XAdES-BES signature, the last child of the root element. Its
/// <c>SignedInfo</c> (exclusive canonicalization) holds two SHA-256 references: the whole document (<c>URI=""</c>,
/// enveloped-signature and exclusive-c14n transforms) and the <c>xades:SignedProperties</c> with the signing time and
/// the signing certificate (SHA-256 digest, issuer and serial number). The certificate travels in <c>KeyInfo</c>.
/// RSA keys (2048 bits or more) sign with RSA-SHA256 (PKCS#1 v1.5); ECDSA keys (P-256 or larger) with ECDSA-SHA256
/// (SHA-384/SHA-512 for P-384/P-521), the signature value as R || S.
/// </summary>
public static class KsefXadesSigner
{
    /// <summary>The XAdES 1.3.2 namespace of the qualifying properties.</summary>
    public const string XadesNamespace = "http://uri.etsi.org/01903/v1.3.2#";

    /// <summary>The <c>Type</c> of the reference to the signed properties.</summary>
    public const string SignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties";

    private const string AuthNamespacePrefix = "http://ksef.mf.gov.pl/auth/token/";
    private const string TrimmingMessage = "XML-DSig signing (SignedXml) creates transform, digest and signature implementations by name at run time, which trimming and native AOT cannot see.";

    /// <summary>Signs the request with the certificate's own private key.</summary>
    /// <param name="authTokenRequest">The unsigned request; it is not changed (the signature goes into a copy).</param>
    /// <param name="certificate">The signing certificate, with an RSA (2048+ bits) or ECDSA (256+ bits) private key.</param>
    /// <param name="timeProvider">The clock for <c>xades:SigningTime</c>; the system clock when null.</param>
    /// <returns>The signed document as UTF-8 bytes (no BOM), to post as <c>application/xml</c>.</returns>
    /// <exception cref="ArgumentException">The certificate has no usable private key, or the document is not an unsigned <c>AuthTokenRequest</c>.</exception>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    public static byte[] Sign(XmlDocument authTokenRequest, X509Certificate2 certificate, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(authTokenRequest);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException(
                $"The certificate {certificate.Subject} has no private key. Load it with its key (a PFX, or the certificate and key PEM files: see {nameof(LoadCertificate)}), or pass the key to the overload that takes it.",
                nameof(certificate));
        }
        using var key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException($"The certificate's key is {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}; KSeF accepts RSA and ECDSA keys.", nameof(certificate));
        return SignCore(authTokenRequest, certificate, key, timeProvider ?? TimeProvider.System, nameof(certificate));
    }

    /// <summary>Signs the request with a private key held apart from the certificate (for example read from a PEM file).</summary>
    /// <param name="authTokenRequest">The unsigned request; it is not changed (the signature goes into a copy).</param>
    /// <param name="certificate">The signing certificate (its public key must be the pair of <paramref name="privateKey"/>).</param>
    /// <param name="privateKey">An <see cref="RSA"/> (2048+ bits) or <see cref="ECDsa"/> (256+ bits) private key.</param>
    /// <param name="timeProvider">The clock for <c>xades:SigningTime</c>; the system clock when null.</param>
    /// <returns>The signed document as UTF-8 bytes (no BOM), to post as <c>application/xml</c>.</returns>
    /// <exception cref="ArgumentException">The key is of another kind, too short or not the certificate's; or the document is not an unsigned <c>AuthTokenRequest</c>.</exception>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    public static byte[] Sign(XmlDocument authTokenRequest, X509Certificate2 certificate, AsymmetricAlgorithm privateKey, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(authTokenRequest);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey is not (RSA or ECDsa))
        {
            throw new ArgumentException($"A {privateKey.GetType().Name} key cannot sign for KSeF; use an RSA or ECDSA key.", nameof(privateKey));
        }
        byte[] keyInfo;
        try
        {
            keyInfo = privateKey.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"The key's public part cannot be read: {e.Message}", nameof(privateKey), e);
        }
        if (!keyInfo.AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            throw new ArgumentException($"The key is not the pair of the certificate {certificate.Subject}'s public key.", nameof(privateKey));
        }
        return SignCore(authTokenRequest, certificate, privateKey, timeProvider ?? TimeProvider.System, nameof(privateKey));
    }

    /// <summary>
    /// Loads a signing certificate with its private key from files: a PKCS#12 (<c>.pfx</c>/<c>.p12</c>) file, or a PEM
    /// certificate with the PEM private key in <paramref name="keyPemPath"/> (or in the same file when that is null).
    /// </summary>
    /// <param name="certificatePemOrPfxPath">The PFX/PKCS#12 file, or the PEM certificate.</param>
    /// <param name="keyPemPath">The PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted PKCS#8 with <paramref name="password"/>); null when the key is in the certificate file.</param>
    /// <param name="password">The PFX password, or the password of an encrypted PEM key.</param>
    /// <returns>The certificate with its private key.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="ArgumentException">The files hold no private key for the certificate, or cannot be read (a wrong password, say).</exception>
    public static X509Certificate2 LoadCertificate(string certificatePemOrPfxPath, string? keyPemPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePemOrPfxPath);
        if (!File.Exists(certificatePemOrPfxPath)) throw new FileNotFoundException($"The certificate file {certificatePemOrPfxPath} does not exist.", certificatePemOrPfxPath);
        if (keyPemPath is not null && !File.Exists(keyPemPath)) throw new FileNotFoundException($"The key file {keyPemPath} does not exist.", keyPemPath);

        X509Certificate2 certificate;
        if (IsPem(certificatePemOrPfxPath))
        {
            try
            {
                certificate = password is null
                    ? X509Certificate2.CreateFromPemFile(certificatePemOrPfxPath, keyPemPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePemOrPfxPath, password, keyPemPath);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException(
                    $"No usable private key for the certificate in {certificatePemOrPfxPath} was found in {keyPemPath ?? certificatePemOrPfxPath} ({e.Message}). Give the key's PEM file (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY; BEGIN ENCRYPTED PRIVATE KEY with its password).",
                    keyPemPath is null ? nameof(certificatePemOrPfxPath) : nameof(keyPemPath), e);
            }
        }
        else
        {
            if (keyPemPath is not null)
            {
                throw new ArgumentException($"{certificatePemOrPfxPath} is not PEM; a PKCS#12 file carries its own key, so give no key file.", nameof(keyPemPath));
            }
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePemOrPfxPath, password);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException($"{certificatePemOrPfxPath} cannot be read as PKCS#12 (a wrong or missing password?): {e.Message}", nameof(certificatePemOrPfxPath), e);
            }
        }
        if (!certificate.HasPrivateKey)
        {
            var subject = certificate.Subject;
            certificate.Dispose();
            throw new ArgumentException($"{certificatePemOrPfxPath} holds the certificate {subject} but not its private key.", nameof(certificatePemOrPfxPath));
        }
        return certificate;
    }

    /// <summary>Finds a certificate with its private key in the personal (<c>My</c>) store.</summary>
    /// <param name="thumbprint">The SHA-1 thumbprint, hex (spaces and colons are ignored, any case).</param>
    /// <param name="location">The store location.</param>
    /// <returns>The certificate (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">No certificate has that thumbprint (or the store does not exist), or it has no private key.</exception>
    public static X509Certificate2 FindInStore(string thumbprint, StoreLocation location = StoreLocation.CurrentUser)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(thumbprint);
        var normalized = string.Concat(thumbprint.Where(c => c is not (' ' or ':' or '\u200e'))).ToUpperInvariant();
        using var store = new X509Store(StoreName.My, location);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"No certificate with thumbprint {normalized}: the {location} personal (My) store cannot be opened ({e.Message}).", nameof(thumbprint), e);
        }
        var found = store.Certificates.Find(X509FindType.FindByThumbprint, normalized, validOnly: false);
        X509Certificate2? withKey = null;
        foreach (var candidate in found)
        {
            if (withKey is null && candidate.HasPrivateKey) withKey = candidate;
            else candidate.Dispose();
        }
        if (withKey is not null) return withKey;
        throw new ArgumentException(found.Count == 0
            ? $"No certificate with thumbprint {normalized} is in the {location} personal (My) store."
            : $"The certificate with thumbprint {normalized} in the {location} personal (My) store has no private key.", nameof(thumbprint));
    }

    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    private static byte[] SignCore(XmlDocument authTokenRequest, X509Certificate2 certificate, AsymmetricAlgorithm key, TimeProvider clock, string keyParameter)
    {
        var signatureMethod = SignatureMethodFor(key, keyParameter);
        var document = Copy(authTokenRequest);
        XmlDsigAlgorithms.EnsureRegistered();

        var suffix = Guid.NewGuid().ToString("N");
        var signatureId = "Signature-" + suffix;
        var propertiesId = "SignedProperties-" + suffix;
        var signed = new XadesSignedXml(document, propertiesId) { SigningKey = key };
        signed.Signature.Id = signatureId;
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = signatureMethod;

        var wholeDocument = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        wholeDocument.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        wholeDocument.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(wholeDocument);

        var properties = new Reference("#" + propertiesId) { DigestMethod = SignedXml.XmlDsigSHA256Url, Type = SignedPropertiesType };
        properties.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(properties);

        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(certificate));
        signed.KeyInfo = keyInfo;
        signed.AddObject(new DataObject { Data = QualifyingProperties(certificate, signatureId, propertiesId, clock.GetUtcNow()) });

        signed.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), deep: true));
        return Serialize(document);
    }

    private static string SignatureMethodFor(AsymmetricAlgorithm key, string keyParameter) => key switch
    {
        RSA { KeySize: < 2048 } rsa => throw new ArgumentException($"KSeF needs RSA keys of at least 2048 bits, not {rsa.KeySize}.", keyParameter),
        RSA => SignedXml.XmlDsigRSASHA256Url,
        ECDsa { KeySize: < 256 } ec => throw new ArgumentException($"KSeF needs ECDSA curves of at least 256 bits, not {ec.KeySize}.", keyParameter),
        ECDsa { KeySize: <= 256 } => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        ECDsa { KeySize: <= 384 } => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        ECDsa => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        _ => throw new ArgumentException($"A {key.GetType().Name} key cannot sign for KSeF; use an RSA or ECDSA key.", keyParameter),
    };

    /// <summary>A private copy, read back from its bytes, so the signature covers exactly what a verifier parses.</summary>
    private static XmlDocument Copy(XmlDocument authTokenRequest)
    {
        var root = authTokenRequest.DocumentElement
            ?? throw new ArgumentException("The document is empty.", nameof(authTokenRequest));
        if (root.LocalName != "AuthTokenRequest" || !root.NamespaceURI.StartsWith(AuthNamespacePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The document's root is {{{root.NamespaceURI}}}{root.LocalName}, not an AuthTokenRequest ({AuthNamespacePrefix}2.0); build it with {nameof(KsefAuthTokenRequest)}.{nameof(KsefAuthTokenRequest.Create)}.", nameof(authTokenRequest));
        }
        if (authTokenRequest.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl).Count > 0)
        {
            throw new ArgumentException("The document is signed already; KSeF accepts exactly one signature.", nameof(authTokenRequest));
        }
        var copy = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        using var stream = new MemoryStream(Serialize(authTokenRequest), writable: false);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        copy.Load(reader);
        return copy;
    }

    /// <summary>The <c>xades:QualifyingProperties</c>, parsed from text so every namespace declaration is a real attribute (canonicalization reads them).</summary>
    private static XmlNodeList QualifyingProperties(X509Certificate2 certificate, string signatureId, string propertiesId, DateTimeOffset signingTime)
    {
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = false }))
        {
            const string ds = SignedXml.XmlDsigNamespaceUrl;
            writer.WriteStartElement("xades", "QualifyingProperties", XadesNamespace);
            writer.WriteAttributeString("xmlns", "ds", null, ds);
            writer.WriteAttributeString("Target", "#" + signatureId);
            writer.WriteStartElement("xades", "SignedProperties", XadesNamespace);
            writer.WriteAttributeString("Id", propertiesId);
            writer.WriteStartElement("xades", "SignedSignatureProperties", XadesNamespace);
            writer.WriteElementString("xades", "SigningTime", XadesNamespace,
                signingTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteStartElement("xades", "SigningCertificate", XadesNamespace);
            writer.WriteStartElement("xades", "Cert", XadesNamespace);
            writer.WriteStartElement("xades", "CertDigest", XadesNamespace);
            writer.WriteStartElement("ds", "DigestMethod", ds);
            writer.WriteAttributeString("Algorithm", SignedXml.XmlDsigSHA256Url);
            writer.WriteEndElement();
            writer.WriteElementString("ds", "DigestValue", ds, Convert.ToBase64String(SHA256.HashData(certificate.RawData)));
            writer.WriteEndElement();
            writer.WriteStartElement("xades", "IssuerSerial", XadesNamespace);
            writer.WriteElementString("ds", "X509IssuerName", ds, certificate.Issuer);
            writer.WriteElementString("ds", "X509SerialNumber", ds,
                new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture));
            writer.WriteEndElement();
            writer.WriteEndElement(); // Cert
            writer.WriteEndElement(); // SigningCertificate
            writer.WriteEndElement(); // SignedSignatureProperties
            writer.WriteEndElement(); // SignedProperties
            writer.WriteEndElement(); // QualifyingProperties
        }
        var holder = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        holder.LoadXml("<holder>" + text + "</holder>");
        return holder.DocumentElement!.ChildNodes;
    }

    private static byte[] Serialize(XmlDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }
        return stream.ToArray();
    }

    private static bool IsPem(string path)
    {
        Span<byte> head = stackalloc byte[256];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Encoding.ASCII.GetString(head[..read]).Contains("-----BEGIN", StringComparison.Ordinal);
    }

    /// <summary>
    /// SignedXml that also finds the signed properties inside its own <c>ds:Object</c>: while the signature is
    /// computed, it is not in the document yet, and SignedXml itself looks only there (and at the Object elements).
    /// </summary>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    private sealed class XadesSignedXml(XmlDocument document, string propertiesId) : SignedXml(document)
    {
        public override XmlElement? GetIdElement(XmlDocument? document, string idValue)
        {
            var element = base.GetIdElement(document, idValue);
            if (element is not null || idValue != propertiesId) return element;
            foreach (DataObject dataObject in Signature.ObjectList)
            {
                foreach (XmlNode node in dataObject.GetXml().GetElementsByTagName("SignedProperties", XadesNamespace))
                {
                    if (node is XmlElement properties && properties.GetAttribute("Id") == propertiesId) return properties;
                }
            }
            return null;
        }
    }
}
