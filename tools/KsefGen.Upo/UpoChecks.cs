using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using System.Xml.Schema;
using KsefGen.Runtime.Upo;

namespace KsefGen.Upo;

/// <summary>
/// Verifies downloaded UPOs with the runtime's <see cref="UpoVerifier"/>: hash, schema (when XSDs are given), signature,
/// and trust (when certificates are given). Without trusted certificates the signature is checked against the
/// certificate the UPO carries, which proves integrity but not who signed it; the ledger says so.
/// </summary>
internal sealed class UpoChecks
{
    private readonly XmlSchemaSet? _schemas;
    private readonly UpoVerifier? _trusted;

    public UpoChecks(XmlSchemaSet? schemas, IReadOnlyCollection<X509Certificate2> trusted)
    {
        _schemas = schemas;
        if (_schemas is { IsCompiled: false }) _schemas.Compile();
        if (trusted.Count > 0)
        {
            var options = new UpoVerifierOptions { Schemas = _schemas, RevocationMode = X509RevocationMode.NoCheck };
            foreach (var certificate in trusted)
            {
                options.PinnedCertificates.Add(certificate);
                options.TrustedRoots.Add(certificate);
            }
            _trusted = new UpoVerifier(options);
        }
    }

    /// <summary>What every verification covers, for the terminal.</summary>
    public string Describe() =>
        $"hash, {(_schemas is null ? "no schema (give --schemas DIR)" : "schema")}, signature, {(_trusted is null ? "no trust (give --trust CERT.pem)" : "trust")}";

    /// <summary>Loads every *.xsd in a folder (the official upo-v4-2.xsd / upo-v4-3.xsd).</summary>
    public static XmlSchemaSet LoadSchemas(string directory)
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        foreach (var file in Directory.EnumerateFiles(directory, "*.xsd").Order(StringComparer.Ordinal))
        {
            using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            set.Add(null, reader);
        }
        if (set.Count == 0) throw new ArgumentException($"No *.xsd in '{directory}'.", nameof(directory));
        set.Compile();
        return set;
    }

    /// <summary>Verifies the bytes; returns the checks that passed ("hash,schema,signature,trust:PinnedCertificate").</summary>
    /// <exception cref="UpoVerificationException">A check failed.</exception>
    public (UpoVerificationResult Result, string Checks) Verify(byte[] upo, string? hash)
    {
        var verifier = _trusted ?? SelfPinned(upo);
        var result = verifier.Verify(upo, hash);
        var checks = new List<string>();
        if (result.HashVerified) checks.Add("hash");
        if (result.SchemaValidated) checks.Add("schema");
        checks.Add("signature");
        checks.Add(_trusted is null ? "trust:unchecked" : "trust:" + result.TrustBasis);
        return (result, string.Join(',', checks));
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string? FileSha256(string path)
    {
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private UpoVerifier SelfPinned(byte[] upo)
    {
        var options = new UpoVerifierOptions { Schemas = _schemas };
        var embedded = EmbeddedCertificate(upo);
        if (embedded is not null) options.PinnedCertificates.Add(embedded);
        else
        {
            throw new UpoVerificationException(UpoVerificationFailure.InvalidSignature, "The UPO's signature carries no certificate and no --trust certificate was given.");
        }
        return new UpoVerifier(options);
    }

    private static X509Certificate2? EmbeddedCertificate(byte[] upo)
    {
        try
        {
            var document = new XmlDocument { XmlResolver = null };
            using (var stream = new MemoryStream(upo, writable: false))
            using (var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
            {
                document.Load(reader);
            }
            var node = document.GetElementsByTagName("X509Certificate", "http://www.w3.org/2000/09/xmldsig#").OfType<XmlElement>().FirstOrDefault();
            return node is null ? null : X509CertificateLoader.LoadCertificate(Convert.FromBase64String(node.InnerText.Trim()));
        }
        catch (Exception e) when (e is XmlException or FormatException or CryptographicException)
        {
            return null;
        }
    }
}
