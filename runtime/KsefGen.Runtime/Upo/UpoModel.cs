using System.Security.Cryptography;

namespace KsefGen.Runtime.Upo;

/// <summary>The UPO schema a document is written in.</summary>
public enum UpoSchemaVersion
{
    /// <summary><c>http://upo.schematy.mf.gov.pl/KSeF/v4-2</c> (no submission mode per document).</summary>
    V4_2 = 1,

    /// <summary><c>http://upo.schematy.mf.gov.pl/KSeF/v4-3</c>, the current schema (adds <c>TrybWysylki</c>).</summary>
    V4_3,
}

/// <summary>How the authentication context is identified (<c>Uwierzytelnienie/IdKontekstu</c>).</summary>
public enum UpoContextType
{
    /// <summary><c>Nip</c>: a NIP.</summary>
    Nip = 1,

    /// <summary><c>IdWewnetrzny</c>: an internal identifier, NIP plus five digits.</summary>
    InternalId,

    /// <summary><c>IdZlozonyVatUE</c>: NIP plus an EU VAT number.</summary>
    NipVatUe,

    /// <summary><c>IdDostawcyUslugPeppol</c>: a Peppol service provider identifier.</summary>
    PeppolId,
}

/// <summary>How an invoice reached KSeF (<c>TrybWysylki</c>, schema v4-3 only).</summary>
public enum UpoSubmissionMode
{
    /// <summary>Sent online.</summary>
    Online = 1,

    /// <summary>Issued offline and sent later.</summary>
    Offline,
}

/// <summary>The authentication context of the session (<c>IdKontekstu</c>).</summary>
/// <param name="Type">Which identifier it is.</param>
/// <param name="Value">The identifier as written.</param>
public sealed record UpoContextIdentifier(UpoContextType Type, string Value);

/// <summary>Which part of a session UPO this page is (<c>OpisPotwierdzenia</c>; absent from an invoice UPO).</summary>
/// <param name="Page">The page number, from 1 (<c>Strona</c>).</param>
/// <param name="PageCount">How many pages the session UPO has (<c>LiczbaStron</c>).</param>
/// <param name="RangeFrom">The first document number on this page (<c>ZakresDokumentowOd</c>, inclusive).</param>
/// <param name="RangeTo">
/// <c>ZakresDokumentowDo</c> as written. The XSD calls it exclusive, but the official samples use it as inclusive
/// (two documents: 1 to 2), so compare it with <see cref="UpoDocument.Documents"/> rather than relying on either reading.
/// </param>
/// <param name="TotalDocumentCount">How many documents all pages list together (<c>CalkowitaLiczbaDokumentow</c>).</param>
public sealed record UpoPageInfo(int Page, int PageCount, int RangeFrom, int RangeTo, int TotalDocumentCount);

/// <summary>One accepted invoice listed in a UPO (<c>Dokument</c>).</summary>
public sealed record UpoInvoiceEntry
{
    /// <summary>The seller's NIP from the invoice (<c>NipSprzedawcy</c>, Podmiot1).</summary>
    public required string SellerNip { get; init; }

    /// <summary>
    /// The KSeF number (<c>NumerKSeFDokumentu</c>) as written; <see cref="KsefGen.Runtime.KsefNumber.TryParse(string?, out KsefGen.Runtime.KsefNumber)"/> gives the typed value.
    /// </summary>
    public required string KsefNumber { get; init; }

    /// <summary>The invoice's own number (<c>NumerFaktury</c>, the P_2 field).</summary>
    public required string InvoiceNumber { get; init; }

    /// <summary>The invoice's issue date (<c>DataWystawieniaFaktury</c>).</summary>
    public required DateOnly IssueDate { get; init; }

    /// <summary>When the document was sent to KSeF (<c>DataPrzeslaniaDokumentu</c>).</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When KSeF assigned the KSeF number (<c>DataNadaniaNumeruKSeF</c>).</summary>
    public required DateTimeOffset KsefNumberAssignedAt { get; init; }

    /// <summary>Base64 SHA-256 of the invoice document as KSeF received it (<c>SkrotDokumentu</c>).</summary>
    public required string DocumentHash { get; init; }

    /// <summary>Online or offline (<c>TrybWysylki</c>); null in schema v4-2, which does not record it.</summary>
    public UpoSubmissionMode? SubmissionMode { get; init; }

    /// <summary>True when <paramref name="invoiceDocument"/> (the unencrypted invoice XML as sent) has the hash this entry records.</summary>
    /// <param name="invoiceDocument">The invoice bytes.</param>
    public bool HashMatches(ReadOnlySpan<byte> invoiceDocument) =>
        string.Equals(Convert.ToBase64String(SHA256.HashData(invoiceDocument)), DocumentHash, StringComparison.Ordinal);
}
