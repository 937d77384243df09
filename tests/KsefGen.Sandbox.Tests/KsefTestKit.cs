using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// What a real client does with crypto and documents, written from the KSeF rules (not from the sandbox's code):
/// RSA-OAEP-SHA256 for tokens and session keys, AES-256-CBC for invoices and package parts, FA(3)-like invoices.
/// </summary>
internal static class KsefTestKit
{
    /// <summary>A client whose bearer token the test can change between calls.</summary>
    public sealed class TokenHandler : DelegatingHandler
    {
        public string? Token { get; set; }

        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public TokenHandler(DelegatingHandler? observer = null)
        {
            if (observer is null)
            {
                InnerHandler = new HttpClientHandler();
                return;
            }
            observer.InnerHandler = new HttpClientHandler();
            InnerHandler = observer;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            foreach (var (name, value) in Headers) request.Headers.TryAddWithoutValidation(name, value);
            return base.SendAsync(request, cancellationToken);
        }
    }

    public static (KsefClient Client, TokenHandler Handler) Client(SandboxFixture sandbox, string? token = null, DelegatingHandler? observer = null)
    {
        var handler = new TokenHandler(observer) { Token = token };
        return (new KsefClient(new HttpClient(handler) { BaseAddress = new Uri(sandbox.BaseAddress, "v2/") }), handler);
    }

    public static async Task<X509Certificate2> EncryptionCertificateAsync(KsefClient client, PublicKeyCertificateUsage usage, CancellationToken ct)
    {
        var certificates = await client.PublicKeyCertificates.GetPublicKeyCertificatesAsync(ct);
        return X509CertificateLoader.LoadCertificate(certificates.First(c => c.Usage.Contains(usage)).Certificate);
    }

    public static byte[] RsaEncrypt(X509Certificate2 certificate, byte[] data)
    {
        using var rsa = certificate.GetRSAPublicKey()!;
        return rsa.Encrypt(data, RSAEncryptionPadding.OaepSHA256);
    }

    /// <summary>A fresh AES-256 key and IV, and the EncryptionInfo that carries the key encrypted for the sandbox.</summary>
    public static async Task<(byte[] Key, byte[] Iv, EncryptionInfo Info)> SessionKeyAsync(KsefClient client, CancellationToken ct)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var certificate = await EncryptionCertificateAsync(client, PublicKeyCertificateUsage.SymmetricKeyEncryption, ct);
        return (key, iv, new EncryptionInfo { EncryptedSymmetricKey = RsaEncrypt(certificate, key), InitializationVector = iv });
    }

    public static byte[] AesEncrypt(byte[] plain, byte[] key, byte[] iv)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptCbc(plain, iv, PaddingMode.PKCS7);
    }

    public static SendInvoiceRequest SendRequest(byte[] xml, byte[] key, byte[] iv)
    {
        var encrypted = AesEncrypt(xml, key, iv);
        return new SendInvoiceRequest
        {
            InvoiceHash = SHA256.HashData(xml),
            InvoiceSize = xml.Length,
            EncryptedInvoiceHash = SHA256.HashData(encrypted),
            EncryptedInvoiceSize = encrypted.Length,
            EncryptedInvoiceContent = encrypted,
        };
    }

    public static FormCode Fa3 => new() { SystemCode = "FA (3)", SchemaVersion = "1-0E", Value = "FA" };

    /// <summary>An FA(3)-shaped invoice: enough structure for the checks KSeF makes before the full schema.</summary>
    public static byte[] Invoice(string sellerNip, string number, string kind = "VAT", DateOnly? issued = null, bool attachment = false)
    {
        var date = (issued ?? new DateOnly(2026, 11, 20)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">
              <Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza><WariantFormularza>3</WariantFormularza><DataWytworzeniaFa>{date}T10:00:00Z</DataWytworzeniaFa></Naglowek>
              <Podmiot1><DaneIdentyfikacyjne><NIP>{sellerNip}</NIP><Nazwa>Sprzedawca</Nazwa></DaneIdentyfikacyjne></Podmiot1>
              <Podmiot2><DaneIdentyfikacyjne><NIP>5265877635</NIP><Nazwa>Nabywca</Nazwa></DaneIdentyfikacyjne></Podmiot2>
              <Fa><KodWaluty>PLN</KodWaluty><P_1>{date}</P_1><P_2>{number}</P_2><P_15>123.00</P_15><RodzajFaktury>{kind}</RodzajFaktury></Fa>
              {(attachment ? "<Zalacznik><BlokDanych><ZNaglowek>Opis</ZNaglowek></BlokDanych></Zalacznik>" : "")}
            </Faktura>
            """;
        return Encoding.UTF8.GetBytes(xml);
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(content);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Splits a package into parts, encrypts each; returns the request parts and their encrypted bytes.</summary>
    public static (OpenBatchSessionRequest Request, List<byte[]> Parts) BatchRequest(byte[] package, int partCount, byte[] key, byte[] iv, EncryptionInfo encryption, CompressionType? compression = null)
    {
        var parts = new List<byte[]>();
        var size = (package.Length + partCount - 1) / partCount;
        for (var i = 0; i < partCount; i++)
        {
            parts.Add(AesEncrypt(package.Skip(i * size).Take(size).ToArray(), key, iv));
        }
        var request = new OpenBatchSessionRequest
        {
            FormCode = Fa3,
            Encryption = encryption,
            BatchFile = new BatchFileInfo
            {
                FileSize = package.Length,
                FileHash = SHA256.HashData(package),
                CompressionType = compression,
                FileParts = parts.Select((p, i) => new BatchFilePartInfo { OrdinalNumber = i + 1, FileSize = p.Length, FileHash = SHA256.HashData(p) }).ToList(),
            },
        };
        return (request, parts);
    }
}
