using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KsefGen.Sandbox.Security;

/// <summary>
/// The sandbox's own encryption key pair, published at /security/public-key-certificates like the Ministry's: clients
/// encrypt KSeF tokens and session AES keys with it (RSA-OAEP, SHA-256), the sandbox decrypts them.
/// </summary>
internal sealed class SandboxKeys : IDisposable
{
    private readonly RSA _rsa;

    /// <summary>Makes a fresh RSA-2048 key and a self-signed certificate around it, valid for two years from <paramref name="now"/>.</summary>
    public SandboxKeys(DateTimeOffset now)
    {
        _rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=KsefGen Sandbox encryption, O=KsefGen, C=PL", _rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        CertificateDer = certificate.Export(X509ContentType.Cert);
        ValidFrom = certificate.NotBefore.ToUniversalTime();
        ValidTo = certificate.NotAfter.ToUniversalTime();
        PublicKeyId = Convert.ToBase64String(SHA256.HashData(_rsa.ExportSubjectPublicKeyInfo()));
        CertificateId = Convert.ToBase64String(SHA256.HashData(CertificateDer));
    }

    /// <summary>The certificate (DER).</summary>
    public byte[] CertificateDer { get; }

    /// <summary>Base64 SHA-256 of the certificate (44 characters).</summary>
    public string CertificateId { get; }

    /// <summary>Base64 SHA-256 of the public key (SubjectPublicKeyInfo, 44 characters): what requests name in publicKeyId.</summary>
    public string PublicKeyId { get; }

    /// <summary>Start of validity.</summary>
    public DateTimeOffset ValidFrom { get; }

    /// <summary>End of validity.</summary>
    public DateTimeOffset ValidTo { get; }

    /// <summary>True when a request's publicKeyId (the decoded Base64 value) is empty or names this key.</summary>
    public bool Knows(byte[]? publicKeyId) => publicKeyId is null || publicKeyId.Length == 0 || Convert.ToBase64String(publicKeyId) == PublicKeyId;

    /// <summary>RSA-OAEP (SHA-256) decryption; null when the data was not encrypted for this key.</summary>
    public byte[]? Decrypt(byte[]? data)
    {
        if (data is null || data.Length == 0) return null;
        try
        {
            return _rsa.Decrypt(data, RSAEncryptionPadding.OaepSHA256);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _rsa.Dispose();
}
