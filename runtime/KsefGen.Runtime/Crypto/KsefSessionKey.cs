using System.Security.Cryptography;

namespace KsefGen.Runtime.Crypto;

/// <summary>
/// A fresh AES-256 key and IV for one session: invoices (online) and package parts (batch) are encrypted with
/// AES-256-CBC and PKCS#7 padding; the key travels to KSeF wrapped with the Ministry's symmetric-key certificate.
/// </summary>
public sealed class KsefSessionKey : IDisposable
{
    private readonly Aes _aes;

    private KsefSessionKey(Aes aes, byte[] encryptedKey, byte[]? publicKeyId)
    {
        _aes = aes;
        EncryptedKey = encryptedKey;
        PublicKeyId = publicKeyId;
    }

    /// <summary>The initialization vector (16 bytes).</summary>
    public byte[] InitializationVector => _aes.IV;

    /// <summary>The key, RSA-OAEP (SHA-256) encrypted for KSeF.</summary>
    public byte[] EncryptedKey { get; }

    /// <summary>The identifier of the Ministry key used, when KSeF gave one.</summary>
    public byte[]? PublicKeyId { get; }

    /// <summary>Makes a fresh key and wraps it with <paramref name="ministryKey"/>.</summary>
    /// <param name="ministryKey">A key for <see cref="KsefPublicKeyUsage.SymmetricKeyEncryption"/>.</param>
    /// <returns>The session key.</returns>
    public static KsefSessionKey Create(KsefPublicKey ministryKey)
    {
        ArgumentNullException.ThrowIfNull(ministryKey);
        var aes = Aes.Create();
        aes.KeySize = 256;
        aes.GenerateKey();
        aes.GenerateIV();
        return new KsefSessionKey(aes, ministryKey.Encrypt(aes.Key), ministryKey.PublicKeyId);
    }

    /// <summary>Encrypts a whole buffer (an invoice).</summary>
    /// <param name="plain">The bytes.</param>
    /// <returns>The ciphertext.</returns>
    public byte[] Encrypt(ReadOnlySpan<byte> plain) => _aes.EncryptCbc(plain, _aes.IV, PaddingMode.PKCS7);

    /// <summary>A stream that encrypts what is written to it into <paramref name="destination"/> (a package part).</summary>
    /// <param name="destination">Where the ciphertext goes; left open.</param>
    /// <returns>The encrypting stream; dispose it to write the final block.</returns>
    public CryptoStream EncryptingStream(Stream destination) =>
        new(destination, _aes.CreateEncryptor(), CryptoStreamMode.Write, leaveOpen: true);

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
