using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using System.Xml.Schema;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;

namespace KsefGen.Runtime.Tests;

/// <summary>The official KSeF material beside the repository (../shared/ksef-spec); tests that need it skip when it is absent.</summary>
internal static class SharedSpec
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KsefGen.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "ksef-spec"));
                return Directory.Exists(shared) ? shared : null;
            }
        }
        return null;
    });

    /// <summary>The folder, or a skip with a clear message.</summary>
    public static string RequireDirectory() =>
        Root.Value ?? throw SkipException("../shared/ksef-spec (the official KSeF material) is not beside the repository");

    public static string UpoDirectory => Path.Combine(RequireDirectory(), "upo");

    /// <summary>All official sample UPOs, as (schema version, file name, path).</summary>
    public static IEnumerable<(string Version, string Name, string Path)> SampleUpos() =>
        new[] { "4-2", "4-3" }.SelectMany(v => Directory.EnumerateFiles(Path.Combine(UpoDirectory, "v" + v), "*.xml")
            .Order(StringComparer.Ordinal).Select(p => (v, Path.GetFileName(p), p)));

    private static readonly Lazy<XmlSchemaSet?> LazySchemas = new(() =>
    {
        if (Root.Value is null) return null;
        var set = new XmlSchemaSet { XmlResolver = null };
        set.Add("http://upo.schematy.mf.gov.pl/KSeF/v4-2", Path.Combine(Root.Value, "upo", "upo-v4-2.xsd"));
        set.Add("http://upo.schematy.mf.gov.pl/KSeF/v4-3", Path.Combine(Root.Value, "upo", "upo-v4-3.xsd"));
        set.Compile();
        return set;
    });

    /// <summary>Both official UPO XSDs, compiled; a skip when absent.</summary>
    public static XmlSchemaSet RequireSchemas() =>
        LazySchemas.Value ?? throw SkipException("../shared/ksef-spec/upo (the official UPO XSDs) is not beside the repository");

    private static Exception SkipException(string why)
    {
        Assert.Skip($"Skipped: {why}.");
        return new InvalidOperationException("unreachable");
    }
}

/// <summary>UPOs made by the sandbox's own builder and signer: what a client of the sandbox downloads.</summary>
internal static class SandboxUpo
{
    private static Random Random => Random.Shared;

    public sealed record Built(SessionRecord Session, byte[] Signed, UpoSigner Signer);

    public static SessionRecord Session(int invoices, string? invoiceNumberPrefix = null)
    {
        var now = new DateTimeOffset(2025, 9, 16, 11, 10, 27, TimeSpan.FromHours(2));
        var nip = KsefIdentifiers.NewNip(Random);
        var session = new SessionRecord(KsefIdentifiers.NewReferenceNumber(now, "SO", Random), nip, isBatch: false, now) { Status = 200 };
        for (var i = 1; i <= invoices; i++)
        {
            var invoice = new InvoiceRecord(i, KsefIdentifiers.NewReferenceNumber(now, "EE", Random), $"{invoiceNumberPrefix ?? "FA/2025/09/"}{i:000}",
                SHA256.HashData(Encoding.UTF8.GetBytes($"invoice {i}")), now.AddSeconds(i))
            {
                Status = 200,
                KsefNumber = KsefIdentifiers.NewKsefNumber(nip, now, Random),
                AcquisitionDate = now.AddSeconds(i + 0.5),
                Offline = i % 3 == 0,
            };
            session.AddInvoice(invoice);
        }
        return session;
    }

    private static readonly Lazy<UpoSigner> SharedSigner = new(() => new UpoSigner(TimeProvider.System));

    /// <summary>One signer (and certificate) for the test run: making RSA keys is slow.</summary>
    public static UpoSigner Signer => SharedSigner.Value;

    public static byte[] SignedInvoiceUpo(SessionRecord session, int index = 0, UpoSigner? signer = null) =>
        (signer ?? Signer).Sign(UpoDocumentBuilder.Invoice(session, session.Invoices[index], "v4-3"));

    public static byte[] SignedSessionUpo(SessionRecord session, UpoSigner? signer = null) =>
        (signer ?? Signer).Sign(UpoDocumentBuilder.SessionPage(session, session.Invoices, 1, 10_000, "v4-3"));

    public static byte[] Unsigned(XDocument document)
    {
        using var stream = new MemoryStream();
        document.Save(stream, SaveOptions.DisableFormatting);
        return stream.ToArray();
    }

    /// <summary>Replaces the first occurrence of <paramref name="from"/> in the UTF-8 text (which must contain it).</summary>
    public static byte[] Replace(byte[] xml, string from, string to)
    {
        var text = Encoding.UTF8.GetString(xml);
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the document");
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length)));
    }
}

/// <summary>Small certificate authorities for chain-trust tests.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Root(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public static X509Certificate2 Leaf(X509Certificate2 issuer, string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer, notBefore, notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
