using System.Security.Cryptography.X509Certificates;
using System.Xml.Schema;

namespace KsefGen.Runtime.Upo;

/// <summary>What <see cref="UpoVerifier"/> trusts and checks.</summary>
/// <remarks>
/// Trust: a signing certificate is trusted when it is one of <see cref="PinnedCertificates"/> (byte-for-byte; no chain,
/// validity or revocation check: pinning is an explicit decision), or when it chains to one of <see cref="TrustedRoots"/>
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>: the machine's root store is never consulted), with
/// <see cref="IntermediateCertificates"/> and the certificates in the signature's KeyInfo as intermediates, checked at
/// <see cref="VerificationTime"/> with <see cref="RevocationMode"/>. At least one of the two lists must be non-empty.
/// </remarks>
public sealed class UpoVerifierOptions
{
    /// <summary>Certificates trusted as they are (for example the sandbox's published UPO certificate, or the Ministry's signing certificate).</summary>
    public X509Certificate2Collection PinnedCertificates { get; } = [];

    /// <summary>Root certificates a signing certificate may chain to.</summary>
    public X509Certificate2Collection TrustedRoots { get; } = [];

    /// <summary>Extra intermediate certificates for chain building.</summary>
    public X509Certificate2Collection IntermediateCertificates { get; } = [];

    /// <summary>
    /// Revocation checking for chain trust. Default <see cref="X509RevocationMode.Online"/>; set
    /// <see cref="X509RevocationMode.NoCheck"/> (or Offline) where CRL/OCSP endpoints cannot be reached.
    /// With NoCheck or Offline, missing intermediates are not downloaded either.
    /// </summary>
    public X509RevocationMode RevocationMode { get; init; } = X509RevocationMode.Online;

    /// <summary>Which chain elements revocation covers. Default: all but the root.</summary>
    public X509RevocationFlag RevocationFlag { get; init; } = X509RevocationFlag.ExcludeRoot;

    /// <summary>
    /// The time chain validity is judged at; null for now. Re-verifying an archived UPO after its certificate expired
    /// needs a time when it was valid (for example the signing time of <see cref="UpoVerificationResult.SigningTime"/>).
    /// </summary>
    public DateTimeOffset? VerificationTime { get; init; }

    /// <summary>
    /// The UPO schemas (v4-2 and/or v4-3) to validate against, loaded by the caller from the official XSDs; null skips
    /// schema validation (<see cref="UpoVerificationResult.SchemaValidated"/> is then false).
    /// </summary>
    public XmlSchemaSet? Schemas { get; init; }

    /// <summary>
    /// Test environments write "Ministerstwo Finansów - &lt;environment&gt;" into <c>NazwaPodmiotuPrzyjmujacego</c>, which
    /// breaks the XSD's fixed value "Ministerstwo Finansów". When true (the default), such a suffix is set aside for schema
    /// validation only; the parsed document keeps the name as written.
    /// </summary>
    public bool AcceptEnvironmentSuffixInReceiverName { get; init; } = true;
}
