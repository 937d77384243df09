using System.Security.Cryptography.X509Certificates;

namespace KsefGen.Runtime.Upo;

/// <summary>Why the signer was trusted.</summary>
public enum UpoTrustBasis
{
    /// <summary>The signing certificate is one of the pinned certificates.</summary>
    PinnedCertificate = 1,

    /// <summary>The signing certificate chains to one of the trusted roots.</summary>
    TrustedRoot,
}

/// <summary>A UPO that passed verification.</summary>
public sealed class UpoVerificationResult
{
    internal UpoVerificationResult(UpoDocument document, X509Certificate2 signer, UpoTrustBasis trustBasis, bool hashVerified, bool schemaValidated, DateTimeOffset? signingTime)
    {
        Document = document;
        SignerCertificate = signer;
        TrustBasis = trustBasis;
        HashVerified = hashVerified;
        SchemaValidated = schemaValidated;
        SigningTime = signingTime;
    }

    /// <summary>The parsed UPO (read from the verified bytes).</summary>
    public UpoDocument Document { get; }

    /// <summary>The certificate whose key verified the signature.</summary>
    public X509Certificate2 SignerCertificate { get; }

    /// <summary>Why <see cref="SignerCertificate"/> was trusted.</summary>
    public UpoTrustBasis TrustBasis { get; }

    /// <summary>True when an expected hash was given and matched; false when none was given.</summary>
    public bool HashVerified { get; }

    /// <summary>True when schemas were supplied and the document validated; false when none were supplied.</summary>
    public bool SchemaValidated { get; }

    /// <summary>The XAdES <c>SigningTime</c> the signer claims, when the signature carries one.</summary>
    public DateTimeOffset? SigningTime { get; }
}
