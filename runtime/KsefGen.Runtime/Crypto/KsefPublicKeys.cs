using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Api;

namespace KsefGen.Runtime.Crypto;

/// <summary>What a Ministry public key certificate is for (<c>PublicKeyCertificateUsage</c>).</summary>
public enum KsefPublicKeyUsage
{
    /// <summary>Encrypting <c>token|timestampMs</c> for <c>/auth/ksef-token</c>.</summary>
    KsefTokenEncryption,

    /// <summary>Wrapping the AES-256 session key of online and batch sessions.</summary>
    SymmetricKeyEncryption,
}

/// <summary>A Ministry public key certificate from <c>/security/public-key-certificates</c>.</summary>
/// <param name="Certificate">The certificate.</param>
/// <param name="PublicKeyId">The key identifier to quote as <c>publicKeyId</c>, when KSeF gives one.</param>
/// <param name="ValidFrom">Start of validity as KSeF states it.</param>
/// <param name="ValidTo">End of validity as KSeF states it.</param>
/// <param name="Usages">What the key may be used for.</param>
public sealed record KsefPublicKey(X509Certificate2 Certificate, byte[]? PublicKeyId, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, IReadOnlyList<KsefPublicKeyUsage> Usages)
{
    /// <summary>RSA-OAEP (SHA-256) encryption with this key, as KSeF expects for tokens and session keys.</summary>
    /// <param name="data">The bytes to encrypt.</param>
    /// <returns>The ciphertext.</returns>
    public byte[] Encrypt(ReadOnlySpan<byte> data)
    {
        using var rsa = Certificate.GetRSAPublicKey()
            ?? throw new CryptographicException($"The KSeF public key certificate {Certificate.Subject} has no RSA key.");
        return rsa.Encrypt(data.ToArray(), RSAEncryptionPadding.OaepSHA256);
    }
}

/// <summary>
/// The Ministry's public key certificates, fetched once and kept until one needed stops being valid, or until
/// <see cref="Invalidate"/> (call it when KSeF answers 21470: it no longer knows the key). Of several valid keys for a
/// usage, the one valid longest is used. Thread-safe; one instance per environment is enough.
/// </summary>
public sealed class KsefPublicKeyCache
{
    private readonly KsefCalls _calls;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<KsefPublicKey>? _keys;

    /// <summary>Creates a cache reading through <paramref name="http"/>.</summary>
    /// <param name="http">A client for the KSeF API (no token needed). Not disposed.</param>
    /// <param name="baseAddress">The API root (e.g. <c>KsefEnvironment.Test.BaseAddress</c>); the client's BaseAddress when null.</param>
    /// <param name="timeProvider">The clock for validity checks.</param>
    public KsefPublicKeyCache(HttpClient http, Uri? baseAddress = null, TimeProvider? timeProvider = null)
    {
        _calls = new KsefCalls(http, baseAddress);
        _clock = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many times the certificates were fetched.</summary>
    public int Fetches { get; private set; }

    /// <summary>The key to use now for <paramref name="usage"/>.</summary>
    /// <param name="usage">What the key is for.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidOperationException">KSeF offers no valid key for the usage.</exception>
    public async Task<KsefPublicKey> GetAsync(KsefPublicKeyUsage usage, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (Pick(Volatile.Read(ref _keys), usage, now) is { } cached) return cached;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Pick(_keys, usage, now) is { } again) return again;
            var fetched = await _calls.GetAsync("security/public-key-certificates", KsefWireJson.Default.ListWirePublicKeyCertificate, null, cancellationToken).ConfigureAwait(false);
            Fetches++;
            var keys = fetched.Select(Map).ToList();
            Volatile.Write(ref _keys, keys);
            return Pick(keys, usage, now) ?? throw new InvalidOperationException(
                $"KSeF offers no public key certificate for {usage} valid at {now:u} (it listed {keys.Count}).");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the fetched certificates; the next <see cref="GetAsync"/> fetches them again.</summary>
    public void Invalidate() => Volatile.Write(ref _keys, null);

    private static KsefPublicKey? Pick(IReadOnlyList<KsefPublicKey>? keys, KsefPublicKeyUsage usage, DateTimeOffset now) =>
        keys?.Where(k => k.Usages.Contains(usage) && k.ValidFrom <= now && now < k.ValidTo).MaxBy(k => k.ValidTo);

    private static KsefPublicKey Map(WirePublicKeyCertificate wire)
    {
        var usages = new List<KsefPublicKeyUsage>();
        foreach (var usage in wire.Usage)
        {
            if (Enum.TryParse<KsefPublicKeyUsage>(usage, ignoreCase: true, out var known)) usages.Add(known);
        }
        return new KsefPublicKey(X509CertificateLoader.LoadCertificate(wire.Certificate), wire.PublicKeyId, wire.ValidFrom, wire.ValidTo, usages);
    }
}
