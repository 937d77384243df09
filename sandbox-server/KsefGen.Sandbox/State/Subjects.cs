using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KsefGen.Sandbox.State;

/// <summary>Who acts: the identifier a certificate, a KSeF token or a grant names (type Nip, Pesel or Fingerprint).</summary>
internal sealed record SubjectIdentifier(string Type, string Value)
{
    /// <summary>The NIP of a taxpayer.</summary>
    public static SubjectIdentifier Nip(string nip) => new("Nip", nip);

    /// <summary>True when this is the NIP <paramref name="nip"/>.</summary>
    public bool IsNip(string nip) => Type == "Nip" && Value == nip;

    /// <summary>
    /// What a certificate identifies, the way KSeF TEST reads a self-signed one: serialNumber (2.5.4.5) TINPL-nip or
    /// PNOPL-pesel, organizationIdentifier (2.5.4.97) VATPL-nip, otherwise the SHA-256 fingerprint of the certificate.
    /// </summary>
    public static SubjectIdentifier Of(X509Certificate2 certificate)
    {
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var oid = name.GetSingleElementType().Value;
            var value = name.GetSingleElementValue() ?? "";
            if (oid is "2.5.4.5" or "2.5.4.97")
            {
                var dash = value.IndexOf('-', StringComparison.Ordinal);
                var prefix = dash > 0 ? value[..dash].ToUpperInvariant() : "";
                var id = dash > 0 ? value[(dash + 1)..] : value;
                switch (prefix)
                {
                    case "TINPL" or "VATPL" or "NIPPL": return Nip(id);
                    case "PNOPL": return new SubjectIdentifier("Pesel", id);
                }
            }
        }
        return new SubjectIdentifier("Fingerprint", Convert.ToHexString(SHA256.HashData(certificate.RawData)));
    }
}

/// <summary>The personal details of an authenticated subject, as a certificate states them (the token's "sud" claim).</summary>
internal sealed record SubjectDetails(SubjectIdentifier Identifier, IReadOnlyList<string> GivenNames, string? Surname, string? SerialNumber, string? CommonName, string? CountryName, string? OrganizationName)
{
    /// <summary>Reads the details from a certificate's subject name.</summary>
    public static SubjectDetails Of(X509Certificate2 certificate)
    {
        var given = new List<string>();
        string? surname = null, serial = null, common = null, country = null, organization = null;
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var value = name.GetSingleElementValue();
            switch (name.GetSingleElementType().Value)
            {
                case "2.5.4.42" when value is not null: given.Add(value); break;
                case "2.5.4.4": surname = value; break;
                case "2.5.4.5": serial = value; break;
                case "2.5.4.3": common = value; break;
                case "2.5.4.6": country = value; break;
                case "2.5.4.10": organization = value; break;
            }
        }
        return new SubjectDetails(SubjectIdentifier.Of(certificate), given, surname, serial, common, country, organization);
    }
}

/// <summary>The permission names of KSeF (x-required-permissions and grants use them).</summary>
internal static class KsefPermissions
{
    /// <summary>Issue invoices in the context.</summary>
    public const string InvoiceWrite = "InvoiceWrite";

    /// <summary>Read the context's invoices.</summary>
    public const string InvoiceRead = "InvoiceRead";

    /// <summary>See every session of the context, not only one's own.</summary>
    public const string Introspection = "Introspection";

    /// <summary>Manage KSeF tokens and permissions.</summary>
    public const string CredentialsManage = "CredentialsManage";

    /// <summary>Read KSeF tokens and permissions.</summary>
    public const string CredentialsRead = "CredentialsRead";

    /// <summary>Manage subunits.</summary>
    public const string SubunitManage = "SubunitManage";

    /// <summary>Enforcement operations.</summary>
    public const string EnforcementOperations = "EnforcementOperations";

    /// <summary>What the owner of a NIP may do in its own context.</summary>
    public static readonly IReadOnlyList<string> Owner =
        [InvoiceWrite, InvoiceRead, Introspection, CredentialsManage, CredentialsRead, SubunitManage, EnforcementOperations];

    /// <summary>The permissions a KSeF token may carry.</summary>
    public static readonly IReadOnlyList<string> TokenPermissions =
        [InvoiceRead, InvoiceWrite, CredentialsRead, CredentialsManage, SubunitManage, EnforcementOperations, Introspection];
}

/// <summary>A permission granted to a subject in a context (by /permissions/*/grants or /testdata/permissions).</summary>
internal sealed record PermissionGrant(string Id, string ContextNip, SubjectIdentifier Subject, string Permission, string? Description, DateTimeOffset Granted, SubjectIdentifier? GrantedBy);
