using System.Text.RegularExpressions;
using System.Xml;

namespace KsefGen.Runtime.Auth;

/// <summary>
/// Builds the unsigned <c>AuthTokenRequest</c> document (schema <c>http://ksef.mf.gov.pl/auth/token/2.0</c>) that a
/// client signs in XAdES form and posts to <c>POST /auth/xades-signature</c>. Sign it with <see cref="KsefXadesSigner"/>.
/// </summary>
public static partial class KsefAuthTokenRequest
{
    /// <summary>The namespace of the <c>AuthTokenRequest</c> schema (<c>schemat_auth_v2-0.xsd</c>).</summary>
    public const string Namespace = "http://ksef.mf.gov.pl/auth/token/2.0";

    /// <summary>The most <c>Ip4Address</c> entries the schema allows.</summary>
    public const int MaxIp4Addresses = 10;

    /// <summary>Creates the unsigned request.</summary>
    /// <param name="challenge">The challenge from <c>POST /auth/challenge</c> (for example <c>20250514-CR-226FB7B000-3ACF9BE4C0-10</c>).</param>
    /// <param name="context">The context to authenticate into; the value must match its type's pattern (a NIP also its checksum).</param>
    /// <param name="subjectIdentifierType">How KSeF identifies the signer: from the certificate's subject (NIP, PESEL) or its SHA-256 fingerprint.</param>
    /// <param name="allowedIp4Addresses">
    /// When given and not empty, an <c>AuthorizationPolicy</c> that limits the tokens to these IPv4 addresses (at most
    /// <see cref="MaxIp4Addresses"/>, dotted decimal).
    /// </param>
    /// <returns>The document, whitespace preserved, ready for <see cref="KsefXadesSigner.Sign(XmlDocument, System.Security.Cryptography.X509Certificates.X509Certificate2, TimeProvider?)"/>.</returns>
    /// <exception cref="ArgumentException">An argument does not fit the schema.</exception>
    public static XmlDocument Create(
        string challenge,
        KsefContextIdentifier context,
        KsefSubjectIdentifierType subjectIdentifierType = KsefSubjectIdentifierType.CertificateSubject,
        IReadOnlyList<string>? allowedIp4Addresses = null)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (!ChallengePattern().IsMatch(challenge))
        {
            throw new ArgumentException($"'{challenge}' is not a KSeF challenge (36 characters: yyyyMMdd-CR-XXXXXXXXXX-XXXXXXXXXX-XX, upper-case hex).", nameof(challenge));
        }
        var (elementName, contextError) = CheckContext(context);
        if (contextError is not null) throw new ArgumentException(contextError, nameof(context));
        var subjectType = subjectIdentifierType switch
        {
            KsefSubjectIdentifierType.CertificateSubject => "certificateSubject",
            KsefSubjectIdentifierType.CertificateFingerprint => "certificateFingerprint",
            _ => throw new ArgumentException($"Unknown subject identifier type {subjectIdentifierType}.", nameof(subjectIdentifierType)),
        };
        if (allowedIp4Addresses is { Count: > MaxIp4Addresses })
        {
            throw new ArgumentException($"KSeF allows at most {MaxIp4Addresses} IPv4 addresses, not {allowedIp4Addresses.Count}.", nameof(allowedIp4Addresses));
        }
        foreach (var address in allowedIp4Addresses ?? [])
        {
            if (address is null || !Ip4Pattern().IsMatch(address))
            {
                throw new ArgumentException($"'{address}' is not an IPv4 address in dotted decimal (for example 192.168.0.1).", nameof(allowedIp4Addresses));
            }
        }

        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.AppendChild(document.CreateXmlDeclaration("1.0", "utf-8", null));
        var root = document.CreateElement("AuthTokenRequest", Namespace);
        document.AppendChild(root);
        Append(root, "Challenge", challenge);
        var contextElement = Append(root, "ContextIdentifier", null);
        Append(contextElement, elementName!, context.Value);
        Append(root, "SubjectIdentifierType", subjectType);
        if (allowedIp4Addresses is { Count: > 0 })
        {
            var allowed = Append(Append(root, "AuthorizationPolicy", null), "AllowedIps", null);
            foreach (var address in allowedIp4Addresses) Append(allowed, "Ip4Address", address);
        }
        return document;
    }

    private static (string? ElementName, string? Error) CheckContext(KsefContextIdentifier context)
    {
        var value = context.Value;
        if (string.IsNullOrEmpty(value)) return (null, $"The {context.Type} context identifier has no value.");
        return context.Type switch
        {
            KsefContextIdentifierType.Nip => Nip.IsValid(value)
                ? ("Nip", null) : (null, $"'{value}' is not a valid NIP (ten digits with a matching checksum)."),
            KsefContextIdentifierType.InternalId => InternalIdPattern().IsMatch(value) && Nip.IsValid(value.AsSpan(0, 10))
                ? ("InternalId", null) : (null, $"'{value}' is not an internal identifier ({{nip}}-{{5 digits}})."),
            KsefContextIdentifierType.NipVatUe => NipVatUePattern().IsMatch(value) && Nip.IsValid(value.AsSpan(0, 10))
                ? ("NipVatUe", null) : (null, $"'{value}' is not a NIP-VAT-UE identifier ({{nip}}-{{EU VAT number with its country prefix}}, for example 5265877635-DE123456789)."),
            KsefContextIdentifierType.PeppolId => PeppolIdPattern().IsMatch(value)
                ? ("PeppolId", null) : (null, $"'{value}' is not a Peppol provider identifier (P, two capital letters, six digits)."),
            _ => (null, $"Unknown context identifier type {context.Type}."),
        };
    }

    private static XmlElement Append(XmlElement parent, string name, string? text)
    {
        var element = parent.OwnerDocument.CreateElement(name, Namespace);
        if (text is not null) element.AppendChild(parent.OwnerDocument.CreateTextNode(text));
        parent.AppendChild(element);
        return element;
    }

    // The schema's patterns (schemat_auth_v2-0.xsd), with [0-9] for \d (.NET's \d takes any Unicode digit); the IPv4
    // one in its 2.1 form (the 2.0 form leans on \b, which XSD regular expressions do not have); \z so no trailing newline slips by.
    [GeneratedRegex(@"^[0-9]{8}-CR-[A-F0-9]{10}-[A-F0-9]{10}-[A-F0-9]{2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChallengePattern();

    [GeneratedRegex(@"^[1-9](([0-9][1-9])|([1-9][0-9]))[0-9]{7}-[0-9]{5}\z", RegexOptions.CultureInvariant)]
    private static partial Regex InternalIdPattern();

    [GeneratedRegex(@"^[1-9](([0-9][1-9])|([1-9][0-9]))[0-9]{7}-((AT)(U[0-9]{8})|(BE)([01]{1}[0-9]{9})|(BG)([0-9]{9,10})|(CY)([0-9]{8}[A-Z])|(CZ)([0-9]{8,10})|(DE)([0-9]{9})|(DK)([0-9]{8})|(EE)([0-9]{9})|(EL)([0-9]{9})|(ES)([A-Z][0-9]{8}|[0-9]{8}[A-Z]|[A-Z][0-9]{7}[A-Z])|(FI)([0-9]{8})|(FR)[A-Z0-9]{2}[0-9]{9}|(HR)([0-9]{11})|(HU)([0-9]{8})|(IE)([0-9]{7}[A-Z]{2}|[0-9][A-Z0-9+*][0-9]{5}[A-Z])|(IT)([0-9]{11})|(LT)([0-9]{9}|[0-9]{12})|(LU)([0-9]{8})|(LV)([0-9]{11})|(MT)([0-9]{8})|(NL)([A-Z0-9+*]{12})|(PT)([0-9]{9})|(RO)([0-9]{2,10})|(SE)([0-9]{12})|(SI)([0-9]{8})|(SK)([0-9]{10})|(XI)(([0-9]{9}|([0-9]{12}))|(GD|HA)([0-9]{3})))\z", RegexOptions.CultureInvariant)]
    private static partial Regex NipVatUePattern();

    [GeneratedRegex(@"^P[A-Z]{2}[0-9]{6}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PeppolIdPattern();

    [GeneratedRegex(@"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\z", RegexOptions.CultureInvariant)]
    private static partial Regex Ip4Pattern();
}
