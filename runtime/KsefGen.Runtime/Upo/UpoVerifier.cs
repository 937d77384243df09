using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace KsefGen.Runtime.Upo;

/// <summary>
/// Verifies a downloaded UPO, in this order: the <c>x-ms-meta-hash</c> (when given), well-formed XML, the schema (when
/// schemas are supplied; the <c>ds:Signature</c> element set aside, since the XSD has no place for it), the enveloped
/// XML-DSig signature (it must cover the whole document), and trust in the signing certificate (see
/// <see cref="UpoVerifierOptions"/>). Each failure is a <see cref="UpoVerificationException"/> with its own
/// <see cref="UpoVerificationFailure"/>. The verifier is immutable and thread-safe once built.
/// </summary>
public sealed class UpoVerifier
{
    private const string XadesNamespace = "http://uri.etsi.org/01903/v1.3.2#";
    private const string ReceiverName = "Ministerstwo Finansów";
    private const string TrimmingMessage = "XML-DSig verification (SignedXml) picks algorithm implementations from the signature at run time, which trimming and native AOT cannot see.";

    private readonly UpoVerifierOptions _options;
    private readonly X509Certificate2[] _pinned;
    private readonly X509Certificate2[] _roots;
    private readonly X509Certificate2[] _intermediates;

    /// <summary>Creates a verifier.</summary>
    /// <param name="options">Trust and schema settings; the certificate lists are copied now and the schema set is compiled now.</param>
    /// <exception cref="ArgumentException">Neither pinned certificates nor trusted roots are configured.</exception>
    public UpoVerifier(UpoVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _pinned = [.. options.PinnedCertificates];
        _roots = [.. options.TrustedRoots];
        _intermediates = [.. options.IntermediateCertificates];
        if (_pinned.Length == 0 && _roots.Length == 0)
        {
            throw new ArgumentException("Configure at least one pinned certificate or trusted root: a signature is worth nothing without knowing whom to trust.", nameof(options));
        }
        // Validation only reads a compiled set; compiling now keeps concurrent Verify calls from compiling it at once.
        if (options.Schemas is { IsCompiled: false } schemas) schemas.Compile();
    }

    /// <summary>Verifies UPO bytes.</summary>
    /// <param name="upo">The UPO exactly as downloaded.</param>
    /// <param name="expectedHash">The <c>x-ms-meta-hash</c> header value; null to skip the hash check.</param>
    /// <returns>The parsed document and how it was trusted.</returns>
    /// <exception cref="UpoVerificationException">A check failed; <see cref="UpoVerificationException.Failure"/> says which.</exception>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    public UpoVerificationResult Verify(byte[] upo, string? expectedHash = null)
    {
        ArgumentNullException.ThrowIfNull(upo);
        if (expectedHash is not null) UpoHash.Verify(upo, expectedHash);

        var document = LoadXmlDocument(upo);
        var signature = FindSignature(document);
        var schemaValidated = _options.Schemas is { } schemas && ValidateSchema(upo, schemas);
        var (signer, signedXml) = CheckSignature(document, signature);
        var trust = CheckTrust(signer, signedXml);

        UpoDocument parsed;
        try
        {
            parsed = UpoDocument.Parse(upo);
        }
        catch (UpoFormatException e)
        {
            throw new UpoVerificationException(UpoVerificationFailure.UnrecognisedDocument, $"The UPO is signed and trusted but cannot be read: {e.Message}", e)
            {
                LineNumber = e.LineNumber,
                LinePosition = e.LinePosition,
            };
        }
        return new UpoVerificationResult(parsed, signer, trust, expectedHash is not null, schemaValidated, SigningTime(signedXml, document));
    }

    /// <summary>Reads a UPO from a stream and verifies it.</summary>
    /// <param name="upo">The UPO exactly as downloaded (read to the end, not closed).</param>
    /// <param name="expectedHash">The <c>x-ms-meta-hash</c> header value; null to skip the hash check.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The parsed document and how it was trusted.</returns>
    /// <exception cref="UpoVerificationException">A check failed; <see cref="UpoVerificationException.Failure"/> says which.</exception>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    public async Task<UpoVerificationResult> VerifyAsync(Stream upo, string? expectedHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upo);
        using var buffer = new MemoryStream();
        await upo.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return Verify(buffer.ToArray(), expectedHash);
    }

    private static XmlDocument LoadXmlDocument(byte[] upo)
    {
        if (upo.Length == 0) throw new UpoVerificationException(UpoVerificationFailure.MalformedXml, "The UPO is empty.");
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        try
        {
            using var stream = new MemoryStream(upo, writable: false);
            using var reader = XmlReader.Create(stream, UpoDocument.ReaderSettings(async: false));
            document.Load(reader);
        }
        catch (XmlException e)
        {
            throw new UpoVerificationException(UpoVerificationFailure.MalformedXml, $"The UPO is not well-formed XML: {e.Message}", e)
            {
                LineNumber = e.LineNumber,
                LinePosition = e.LinePosition,
            };
        }
        if (document.DocumentElement is null) throw new UpoVerificationException(UpoVerificationFailure.MalformedXml, "The UPO has no root element.");
        return document;
    }

    private static XmlElement FindSignature(XmlDocument document)
    {
        var all = document.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl).OfType<XmlElement>().ToList();
        if (all.Count == 0) throw new UpoVerificationException(UpoVerificationFailure.MissingSignature, "The UPO carries no XML-DSig signature (ds:Signature).");
        var enveloped = all.Where(s => s.ParentNode == document.DocumentElement).ToList();
        if (enveloped.Count == 0)
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature, "The UPO's signature is not a child of the root element, where an enveloped UPO signature belongs.");
        }
        if (all.Count > 1)
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature, $"The UPO carries {all.Count} signatures; exactly one is expected.");
        }
        return enveloped[0];
    }

    private bool ValidateSchema(byte[] upo, XmlSchemaSet schemas)
    {
        XDocument copy;
        using (var stream = new MemoryStream(upo, writable: false))
        using (var reader = XmlReader.Create(stream, UpoDocument.ReaderSettings(async: false)))
        {
            copy = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        var root = copy.Root!;
        root.Elements(XName.Get("Signature", SignedXml.XmlDsigNamespaceUrl)).Remove();

        var errors = new List<UpoSchemaError>();
        if (!schemas.Contains(root.Name.NamespaceName))
        {
            var info = (IXmlLineInfo)root;
            errors.Add(new UpoSchemaError($"No supplied schema declares the namespace '{root.Name.NamespaceName}' of the root element {root.Name.LocalName}.",
                info.LineNumber, info.LinePosition, XmlSeverityType.Error));
        }
        else
        {
            if (_options.AcceptEnvironmentSuffixInReceiverName && root.Element(root.Name.Namespace + "NazwaPodmiotuPrzyjmujacego") is { } receiver
                && receiver.Value.StartsWith(ReceiverName + " - ", StringComparison.Ordinal))
            {
                receiver.Value = ReceiverName;
            }
            copy.Validate(schemas, (sender, e) =>
            {
                var info = sender as IXmlLineInfo ?? (e.Exception as XmlSchemaValidationException)?.SourceObject as IXmlLineInfo;
                var hasInfo = info?.HasLineInfo() == true;
                errors.Add(new UpoSchemaError(e.Message, hasInfo ? info!.LineNumber : e.Exception?.LineNumber ?? 0,
                    hasInfo ? info!.LinePosition : e.Exception?.LinePosition ?? 0, e.Severity));
            });
        }
        if (errors.Count == 0) return true;

        var summary = string.Join("; ", errors.Take(5).Select(e => e.ToString()));
        throw new UpoVerificationException(UpoVerificationFailure.SchemaViolation,
            $"The UPO does not validate against the supplied schema ({errors.Count} error{(errors.Count == 1 ? "" : "s")}): {summary}{(errors.Count > 5 ? "; ..." : "")}")
        {
            SchemaErrors = errors,
            LineNumber = errors[0].LineNumber,
            LinePosition = errors[0].LinePosition,
        };
    }

    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    private (X509Certificate2 Signer, SignedXml SignedXml) CheckSignature(XmlDocument document, XmlElement signature)
    {
        var signedXml = new SignedXml(document);
        try
        {
            signedXml.LoadXml(signature);
        }
        catch (CryptographicException e)
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature, $"The UPO's signature element is malformed: {e.Message}", e);
        }

        var references = signedXml.SignedInfo!.References.Cast<Reference>().ToList();
        var wholeDocument = references.Any(r => r.Uri == "" && HasEnvelopedTransform(r.TransformChain));
        if (!wholeDocument)
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature,
                "The UPO's signature does not cover the whole document (no reference to URI \"\" with the enveloped-signature transform).");
        }
        if (references.FirstOrDefault(r => r.Uri is null || (r.Uri.Length > 0 && r.Uri[0] != '#')) is { } external)
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature,
                $"The UPO's signature refers to content outside the document ('{external.Uri}').");
        }

        var embedded = signedXml.KeyInfo.OfType<KeyInfoX509Data>().SelectMany(d => d.Certificates?.OfType<X509Certificate2>() ?? []).ToList();
        foreach (var candidate in embedded.Concat(_pinned))
        {
            bool verified;
            try
            {
                verified = signedXml.CheckSignature(candidate, verifySignatureOnly: true);
            }
            catch (CryptographicException)
            {
                verified = false;
            }
            if (verified) return (candidate, signedXml);
        }

        throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature, embedded.Count == 0 && _pinned.Length == 0
            ? "The UPO's signature carries no certificate, and no pinned certificate is configured to check it with."
            : "The UPO's signature does not verify: the content was changed after signing, or the signature is corrupt.");
    }

    private static bool HasEnvelopedTransform(TransformChain chain)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            if (chain[i] is XmlDsigEnvelopedSignatureTransform) return true;
        }
        return false;
    }

    private UpoTrustBasis CheckTrust(X509Certificate2 signer, SignedXml signedXml)
    {
        if (_pinned.Any(p => p.RawDataMemory.Span.SequenceEqual(signer.RawDataMemory.Span))) return UpoTrustBasis.PinnedCertificate;

        var subject = $"'{signer.Subject}' (SHA-256 {signer.GetCertHashString(HashAlgorithmName.SHA256)})";
        if (_roots.Length == 0)
        {
            throw new UpoVerificationException(UpoVerificationFailure.UntrustedCertificate,
                $"The UPO is signed by {subject}, which is not one of the pinned certificates.");
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        policy.ExtraStore.AddRange(_intermediates);
        foreach (var certificate in signedXml.KeyInfo.OfType<KeyInfoX509Data>().SelectMany(d => d.Certificates?.OfType<X509Certificate2>() ?? []))
        {
            policy.ExtraStore.Add(certificate);
        }
        policy.RevocationMode = _options.RevocationMode;
        policy.RevocationFlag = _options.RevocationFlag;
        policy.DisableCertificateDownloads = _options.RevocationMode != X509RevocationMode.Online;
        if (_options.VerificationTime is { } time)
        {
            policy.VerificationTime = time.UtcDateTime;
            policy.VerificationTimeIgnored = false;
        }
        if (chain.Build(signer)) return UpoTrustBasis.TrustedRoot;

        var problems = new StringBuilder();
        foreach (var status in chain.ChainStatus)
        {
            if (status.Status == X509ChainStatusFlags.NoError) continue;
            if (problems.Length > 0) problems.Append("; ");
            problems.Append(status.Status).Append(": ").Append(status.StatusInformation.Trim());
        }
        throw new UpoVerificationException(UpoVerificationFailure.UntrustedCertificate,
            $"The UPO is signed by {subject}, which is not pinned and does not chain to a trusted root: {(problems.Length > 0 ? problems.ToString() : "chain building failed")}.");
    }

    /// <summary>The XAdES SigningTime, only from a SignedProperties element the verified signature references.</summary>
    private static DateTimeOffset? SigningTime(SignedXml signedXml, XmlDocument document)
    {
        foreach (var reference in signedXml.SignedInfo!.References.Cast<Reference>())
        {
            if (reference.Uri is not { Length: > 1 } uri || uri[0] != '#') continue;
            if (signedXml.GetIdElement(document, uri[1..]) is not { LocalName: "SignedProperties", NamespaceURI: XadesNamespace } properties) continue;
            var manager = new XmlNamespaceManager(document.NameTable);
            manager.AddNamespace("xades", XadesNamespace);
            if (properties.SelectSingleNode(".//xades:SigningTime", manager) is { } time)
            {
                try
                {
                    return XmlConvert.ToDateTimeOffset(time.InnerText.Trim());
                }
                catch (FormatException)
                {
                    return null;
                }
            }
        }
        return null;
    }
}
