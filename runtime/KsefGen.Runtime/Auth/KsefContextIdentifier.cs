namespace KsefGen.Runtime.Auth;

/// <summary>The kinds of context KSeF authenticates into (<c>AuthenticationContextIdentifier.type</c>).</summary>
public enum KsefContextIdentifierType
{
    /// <summary>A Polish taxpayer's NIP.</summary>
    Nip,

    /// <summary>An internal identifier (a VAT group member or a local government unit: <c>{nip}-{5 digits}</c>).</summary>
    InternalId,

    /// <summary>A NIP with an EU VAT number (<c>{nip}-{vatUe}</c>), for EU entities acting through a representative.</summary>
    NipVatUe,

    /// <summary>A Peppol service provider identifier.</summary>
    PeppolId,
}

/// <summary>The context a session acts in: usually the taxpayer's NIP.</summary>
/// <param name="Type">The identifier type.</param>
/// <param name="Value">The identifier value, as KSeF spells it.</param>
public readonly record struct KsefContextIdentifier(KsefContextIdentifierType Type, string Value)
{
    /// <summary>A NIP context. Throws <see cref="ArgumentException"/> when the NIP's checksum is wrong.</summary>
    /// <param name="nip">Ten digits.</param>
    /// <returns>The context.</returns>
    public static KsefContextIdentifier Nip(string nip)
    {
        ArgumentNullException.ThrowIfNull(nip);
        if (!KsefGen.Runtime.Nip.IsValid(nip))
        {
            throw new ArgumentException($"'{nip}' is not a valid NIP (ten digits with a matching checksum).", nameof(nip));
        }
        return new KsefContextIdentifier(KsefContextIdentifierType.Nip, nip);
    }

    /// <summary>An internal-identifier context.</summary>
    /// <param name="internalId">The identifier.</param>
    /// <returns>The context.</returns>
    public static KsefContextIdentifier InternalId(string internalId) => new(KsefContextIdentifierType.InternalId, internalId);

    /// <summary>A NIP-VAT-UE context.</summary>
    /// <param name="nipVatUe">The identifier.</param>
    /// <returns>The context.</returns>
    public static KsefContextIdentifier NipVatUe(string nipVatUe) => new(KsefContextIdentifierType.NipVatUe, nipVatUe);

    /// <summary>A Peppol context.</summary>
    /// <param name="peppolId">The identifier.</param>
    /// <returns>The context.</returns>
    public static KsefContextIdentifier PeppolId(string peppolId) => new(KsefContextIdentifierType.PeppolId, peppolId);

    /// <inheritdoc />
    public override string ToString() => $"{Type}:{Value}";
}

/// <summary>How the signing certificate names the subject in an XAdES authentication (<c>SubjectIdentifierType</c>).</summary>
public enum KsefSubjectIdentifierType
{
    /// <summary>The identifier in the certificate's subject (NIP, PESEL, ...): <c>certificateSubject</c>.</summary>
    CertificateSubject,

    /// <summary>The certificate's SHA-256 fingerprint (for certificates without a Polish identifier): <c>certificateFingerprint</c>.</summary>
    CertificateFingerprint,
}
