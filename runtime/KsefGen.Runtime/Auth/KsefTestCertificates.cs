using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KsefGen.Runtime.Auth;

/// <summary>The key of a test certificate.</summary>
public enum KsefKeyType
{
    /// <summary>RSA, 2048 bits (signs with RSA-SHA256, PKCS#1 v1.5).</summary>
    Rsa,

    /// <summary>ECDSA on NIST P-256 (signs with ECDSA-SHA256).</summary>
    Ecdsa,
}

/// <summary>
/// Self-signed certificates for the KSeF TEST environment (and the KsefGen sandbox), where any self-signed certificate
/// authenticates as whoever its subject names. Never usable on DEMO or production, which accept only qualified
/// certificates and KSeF's own. Each certificate carries its private key, is valid from a day before now for a year,
/// and has the digitalSignature and nonRepudiation key usages.
/// </summary>
public static class KsefTestCertificates
{
    private const string OrganizationIdentifierOid = "2.5.4.97";

    /// <summary>
    /// A company seal: organizationName, organizationIdentifier (2.5.4.97) <c>VATPL-{nip}</c>, commonName and
    /// countryName PL, and no given name or surname, as a qualified seal certificate names a NIP.
    /// </summary>
    /// <param name="nip">Ten digits with a matching checksum.</param>
    /// <param name="keyType">The key.</param>
    /// <param name="commonName">The common name (and organization name); a made-up one naming the NIP when null.</param>
    /// <param name="timeProvider">The clock the validity starts from; the system clock when null.</param>
    /// <returns>The certificate with its private key (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">The NIP is not valid.</exception>
    public static X509Certificate2 ForNip(string nip, KsefKeyType keyType = KsefKeyType.Rsa, string? commonName = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(nip);
        if (!Nip.IsValid(nip)) throw new ArgumentException($"'{nip}' is not a valid NIP (ten digits with a matching checksum).", nameof(nip));
        var name = string.IsNullOrWhiteSpace(commonName) ? $"Firma testowa {nip}" : commonName;
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("PL");
        subject.AddOrganizationName(name);
        subject.Add(OrganizationIdentifierOid, $"VATPL-{nip}", UniversalTagNumber.UTF8String);
        subject.AddCommonName(name);
        return Create(subject.Build(), keyType, timeProvider);
    }

    /// <summary>
    /// A person's signature certificate: givenName, surname, serialNumber (2.5.4.5) <c>PNOPL-{pesel}</c>, commonName
    /// (given name and surname) and countryName PL, as a qualified signature certificate names a PESEL.
    /// </summary>
    /// <param name="pesel">Eleven digits with a matching check digit.</param>
    /// <param name="keyType">The key.</param>
    /// <param name="givenName">The given name.</param>
    /// <param name="surname">The surname.</param>
    /// <param name="timeProvider">The clock the validity starts from; the system clock when null.</param>
    /// <returns>The certificate with its private key (the caller disposes it).</returns>
    /// <exception cref="ArgumentException">The PESEL is not valid, or a name is empty.</exception>
    public static X509Certificate2 ForPesel(string pesel, KsefKeyType keyType = KsefKeyType.Rsa, string givenName = "Jan", string surname = "Testowy", TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pesel);
        if (!IsValidPesel(pesel)) throw new ArgumentException($"'{pesel}' is not a valid PESEL (eleven digits with a matching check digit).", nameof(pesel));
        ArgumentException.ThrowIfNullOrWhiteSpace(givenName);
        ArgumentException.ThrowIfNullOrWhiteSpace(surname);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("PL");
        subject.Add("2.5.4.42", givenName, UniversalTagNumber.UTF8String);
        subject.Add("2.5.4.4", surname, UniversalTagNumber.UTF8String);
        subject.Add("2.5.4.5", $"PNOPL-{pesel}", UniversalTagNumber.PrintableString);
        subject.AddCommonName($"{givenName} {surname}");
        return Create(subject.Build(), keyType, timeProvider);
    }

    /// <summary>
    /// A certificate that names no Polish identifier (only a common name and countryName PL): it authenticates by its
    /// SHA-256 fingerprint (<see cref="KsefSubjectIdentifierType.CertificateFingerprint"/>, see <see cref="Fingerprint"/>)
    /// once a permission is granted to that fingerprint.
    /// </summary>
    /// <param name="keyType">The key.</param>
    /// <param name="commonName">The common name; a made-up one when null.</param>
    /// <param name="timeProvider">The clock the validity starts from; the system clock when null.</param>
    /// <returns>The certificate with its private key (the caller disposes it).</returns>
    public static X509Certificate2 ForFingerprint(KsefKeyType keyType = KsefKeyType.Rsa, string? commonName = null, TimeProvider? timeProvider = null)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("PL");
        subject.AddCommonName(string.IsNullOrWhiteSpace(commonName) ? "KsefGen test " + Guid.NewGuid().ToString("N")[..12] : commonName);
        return Create(subject.Build(), keyType, timeProvider);
    }

    /// <summary>The certificate's SHA-256 fingerprint as KSeF writes it: 64 upper-case hex digits over the DER encoding.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The fingerprint.</returns>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    private static X509Certificate2 Create(X500DistinguishedName subject, KsefKeyType keyType, TimeProvider? timeProvider)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var notBefore = now.AddDays(-1);
        var notAfter = now.AddYears(1);
        switch (keyType)
        {
            case KsefKeyType.Rsa:
            {
                using var rsa = RSA.Create(2048);
                return Issue(new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), notBefore, notAfter);
            }
            case KsefKeyType.Ecdsa:
            {
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return Issue(new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256), notBefore, notAfter);
            }
            default:
                throw new ArgumentException($"Unknown key type {keyType}.", nameof(keyType));
        }
    }

    private static X509Certificate2 Issue(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var created = request.CreateSelfSigned(notBefore, notAfter);
        // Through PKCS#12 and back: the key then belongs to the certificate on every platform (a key created in memory
        // cannot sign through the certificate everywhere, on Windows in particular).
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A PESEL's check digit: weights 1, 3, 7, 9 repeated over the first ten digits.</summary>
    internal static bool IsValidPesel(string pesel)
    {
        if (pesel.Length != 11) return false;
        ReadOnlySpan<int> weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
        var sum = 0;
        for (var i = 0; i < 11; i++)
        {
            if (!char.IsAsciiDigit(pesel[i])) return false;
            if (i < 10) sum += weights[i] * (pesel[i] - '0');
        }
        return (10 - sum % 10) % 10 == pesel[10] - '0';
    }
}
