using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace KsefGen.Runtime.Xades;

/// <summary>
/// Makes <see cref="System.Security.Cryptography.Xml.SignedXml"/> understand every signature and digest algorithm KSeF
/// accepts for XAdES documents: RSA PKCS#1 v1.5 and RSA-PSS (SHA-1, SHA-2, SHA-3), ECDSA (SHA-1, SHA-2, SHA-3, the
/// signature as R || S) and the SHA-3 digests. .NET knows only the RSA PKCS#1 ones out of the box, so an ECDSA-signed
/// authentication request would otherwise fail with "SignatureDescription could not be created".
/// </summary>
public static class XmlDsigAlgorithms
{
    /// <summary>RSA PKCS#1 v1.5 signature URIs and their hashes.</summary>
    public static readonly IReadOnlyDictionary<string, HashAlgorithmName> RsaPkcs1 = new Dictionary<string, HashAlgorithmName>(StringComparer.Ordinal)
    {
        ["http://www.w3.org/2000/09/xmldsig#rsa-sha1"] = HashAlgorithmName.SHA1,
        ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"] = HashAlgorithmName.SHA256,
        ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"] = HashAlgorithmName.SHA384,
        ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"] = HashAlgorithmName.SHA512,
    };

    /// <summary>RSA-PSS (MGF1, salt as long as the hash) signature URIs and their hashes.</summary>
    public static readonly IReadOnlyDictionary<string, HashAlgorithmName> RsaPss = new Dictionary<string, HashAlgorithmName>(StringComparer.Ordinal)
    {
        ["http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1"] = HashAlgorithmName.SHA1,
        ["http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"] = HashAlgorithmName.SHA256,
        ["http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"] = HashAlgorithmName.SHA384,
        ["http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"] = HashAlgorithmName.SHA512,
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1"] = HashAlgorithmName.SHA3_256,
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-384-rsa-MGF1"] = HashAlgorithmName.SHA3_384,
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa-MGF1"] = HashAlgorithmName.SHA3_512,
    };

    /// <summary>ECDSA signature URIs and their hashes.</summary>
    public static readonly IReadOnlyDictionary<string, HashAlgorithmName> Ecdsa = new Dictionary<string, HashAlgorithmName>(StringComparer.Ordinal)
    {
        ["http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"] = HashAlgorithmName.SHA1,
        ["http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"] = HashAlgorithmName.SHA256,
        ["http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"] = HashAlgorithmName.SHA384,
        ["http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"] = HashAlgorithmName.SHA512,
        ["http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-256"] = HashAlgorithmName.SHA3_256,
        ["http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-384"] = HashAlgorithmName.SHA3_384,
        ["http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-512"] = HashAlgorithmName.SHA3_512,
    };

    /// <summary>The SHA-3 digest URIs (the SHA-1/SHA-2 ones are built in).</summary>
    public static readonly IReadOnlyDictionary<string, HashAlgorithmName> Sha3Digests = new Dictionary<string, HashAlgorithmName>(StringComparer.Ordinal)
    {
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-256"] = HashAlgorithmName.SHA3_256,
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-384"] = HashAlgorithmName.SHA3_384,
        ["http://www.w3.org/2007/05/xmldsig-more#sha3-512"] = HashAlgorithmName.SHA3_512,
    };

    private static readonly Lock Gate = new();
    private static bool s_registered;

    /// <summary>Registers the algorithms with <see cref="CryptoConfig"/> (once per process; later calls do nothing).</summary>
    [RequiresUnreferencedCode("CryptoConfig creates the registered types by reflection.")]
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (s_registered) return;
            foreach (var (uri, hash) in RsaPss) CryptoConfig.AddAlgorithm(PssType(hash), uri);
            foreach (var (uri, hash) in Ecdsa) CryptoConfig.AddAlgorithm(EcdsaType(hash), uri);
            // SHA-3 exists where the platform's crypto library has it (OpenSSL 1.1.1+, Windows 11); elsewhere the
            // signature simply stays unverifiable, as it would be without this registration.
            if (SHA3_256.IsSupported)
            {
                CryptoConfig.AddAlgorithm(typeof(Sha3_256Digest), "http://www.w3.org/2007/05/xmldsig-more#sha3-256");
                CryptoConfig.AddAlgorithm(typeof(Sha3_384Digest), "http://www.w3.org/2007/05/xmldsig-more#sha3-384");
                CryptoConfig.AddAlgorithm(typeof(Sha3_512Digest), "http://www.w3.org/2007/05/xmldsig-more#sha3-512");
            }
            s_registered = true;
        }
    }

    private static Type PssType(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => typeof(PssSha1), "SHA256" => typeof(PssSha256), "SHA384" => typeof(PssSha384), "SHA512" => typeof(PssSha512),
        "SHA3-256" => typeof(PssSha3_256), "SHA3-384" => typeof(PssSha3_384), _ => typeof(PssSha3_512),
    };

    private static Type EcdsaType(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => typeof(EcdsaSha1), "SHA256" => typeof(EcdsaSha256), "SHA384" => typeof(EcdsaSha384), "SHA512" => typeof(EcdsaSha512),
        "SHA3-256" => typeof(EcdsaSha3_256), "SHA3-384" => typeof(EcdsaSha3_384), _ => typeof(EcdsaSha3_512),
    };

    // CryptoConfig needs one public parameterless type per URI: each is a subclass of the shared description.
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha1() : XmlDsigSignatureDescription(HashAlgorithmName.SHA1, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha256() : XmlDsigSignatureDescription(HashAlgorithmName.SHA256, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha384() : XmlDsigSignatureDescription(HashAlgorithmName.SHA384, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha512() : XmlDsigSignatureDescription(HashAlgorithmName.SHA512, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha3_256() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_256, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha3_384() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_384, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PssSha3_512() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_512, XmlDsigKeyKind.RsaPss);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha1() : XmlDsigSignatureDescription(HashAlgorithmName.SHA1, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha256() : XmlDsigSignatureDescription(HashAlgorithmName.SHA256, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha384() : XmlDsigSignatureDescription(HashAlgorithmName.SHA384, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha512() : XmlDsigSignatureDescription(HashAlgorithmName.SHA512, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha3_256() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_256, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha3_384() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_384, XmlDsigKeyKind.Ecdsa);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class EcdsaSha3_512() : XmlDsigSignatureDescription(HashAlgorithmName.SHA3_512, XmlDsigKeyKind.Ecdsa);

    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class Sha3_256Digest() : IncrementalDigest(HashAlgorithmName.SHA3_256);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class Sha3_384Digest() : IncrementalDigest(HashAlgorithmName.SHA3_384);
    /// <summary>Registered with CryptoConfig (which needs a public parameterless type per URI).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class Sha3_512Digest() : IncrementalDigest(HashAlgorithmName.SHA3_512);
}

/// <summary>The key family of an XML-DSig signature algorithm.</summary>
public enum XmlDsigKeyKind
{
    /// <summary>RSA with PKCS#1 v1.5 padding.</summary>
    RsaPkcs1,

    /// <summary>RSA with PSS padding (MGF1, salt as long as the hash).</summary>
    RsaPss,

    /// <summary>ECDSA, the signature as R || S.</summary>
    Ecdsa,
}

/// <summary>A SignatureDescription for any hash with RSA PKCS#1, RSA-PSS or ECDSA (IEEE P1363 R || S) keys.</summary>
public abstract class XmlDsigSignatureDescription : SignatureDescription
{
    private readonly HashAlgorithmName _hash;
    private readonly XmlDsigKeyKind _kind;

    /// <summary>A description for the hash and key family.</summary>
    protected XmlDsigSignatureDescription(HashAlgorithmName hash, XmlDsigKeyKind kind)
    {
        _hash = hash;
        _kind = kind;
        KeyAlgorithm = kind == XmlDsigKeyKind.Ecdsa ? typeof(ECDsa).AssemblyQualifiedName : typeof(RSA).AssemblyQualifiedName;
    }

    /// <inheritdoc/>
    [RequiresUnreferencedCode("SignatureDescription creates algorithms by name.")]
    public override HashAlgorithm CreateDigest() => new IncrementalDigest(_hash);

    /// <inheritdoc/>
    [RequiresUnreferencedCode("SignatureDescription creates algorithms by name.")]
    public override AsymmetricSignatureDeformatter CreateDeformatter(AsymmetricAlgorithm key) => new Deformatter(key, _hash, _kind);

    /// <inheritdoc/>
    [RequiresUnreferencedCode("SignatureDescription creates algorithms by name.")]
    public override AsymmetricSignatureFormatter CreateFormatter(AsymmetricAlgorithm key) => new Formatter(key, _hash, _kind);

    private static RSASignaturePadding Padding(XmlDsigKeyKind kind) => kind == XmlDsigKeyKind.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

    private sealed class Deformatter(AsymmetricAlgorithm key, HashAlgorithmName hash, XmlDsigKeyKind kind) : AsymmetricSignatureDeformatter
    {
        public override void SetKey(AsymmetricAlgorithm newKey) => key = newKey;

        public override void SetHashAlgorithm(string strName) { }

        public override bool VerifySignature(byte[] rgbHash, byte[] rgbSignature) => key switch
        {
            ECDsa ecdsa when kind == XmlDsigKeyKind.Ecdsa => ecdsa.VerifyHash(rgbHash, rgbSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            RSA rsa when kind != XmlDsigKeyKind.Ecdsa => rsa.VerifyHash(rgbHash, rgbSignature, hash, Padding(kind)),
            _ => false,
        };
    }

    private sealed class Formatter(AsymmetricAlgorithm key, HashAlgorithmName hash, XmlDsigKeyKind kind) : AsymmetricSignatureFormatter
    {
        public override void SetKey(AsymmetricAlgorithm newKey) => key = newKey;

        public override void SetHashAlgorithm(string strName) { }

        public override byte[] CreateSignature(byte[] rgbHash) => key switch
        {
            ECDsa ecdsa when kind == XmlDsigKeyKind.Ecdsa => ecdsa.SignHash(rgbHash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            RSA rsa when kind != XmlDsigKeyKind.Ecdsa => rsa.SignHash(rgbHash, hash, Padding(kind)),
            _ => throw new CryptographicException($"A {kind} signature needs a{(kind == XmlDsigKeyKind.Ecdsa ? "n ECDsa" : "n RSA")} key, not {key.GetType().Name}."),
        };
    }
}

/// <summary>A <see cref="HashAlgorithm"/> over <see cref="IncrementalHash"/>, for hashes .NET has no HashAlgorithm type for (SHA-3).</summary>
public class IncrementalDigest : HashAlgorithm
{
    private readonly HashAlgorithmName _name;
    private IncrementalHash _hash;

    /// <summary>A digest of the named hash.</summary>
    public IncrementalDigest(HashAlgorithmName name)
    {
        _name = name;
        _hash = IncrementalHash.CreateHash(name);
        HashSizeValue = _hash.HashLengthInBytes * 8;
    }

    /// <inheritdoc/>
    public override void Initialize()
    {
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(_name);
    }

    /// <inheritdoc/>
    protected override void HashCore(byte[] array, int ibStart, int cbSize) => _hash.AppendData(array, ibStart, cbSize);

    /// <inheritdoc/>
    protected override byte[] HashFinal() => _hash.GetHashAndReset();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
