using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Upo;

/// <summary>
/// UPO documents (the official receipt) in schema v4-3, or v4-2 on request: an invoice UPO holds one Dokument; a
/// session UPO page holds up to a page's worth of accepted invoices with OpisPotwierdzenia saying which page it is.
/// v4-2 differs by its namespace and by having no TrybWysylki.
/// </summary>
internal static class UpoDocumentBuilder
{
    /// <summary>The namespace of a UPO schema version ("v4-2" or "v4-3").</summary>
    public static XNamespace Namespace(string version) => "http://upo.schematy.mf.gov.pl/KSeF/" + version;

    /// <summary>The UPO of one accepted invoice.</summary>
    public static XDocument Invoice(SessionRecord session, InvoiceRecord invoice, string version) =>
        Build(session, version, null, [invoice]);

    /// <summary>Page <paramref name="page"/> (1-based) of a session UPO.</summary>
    public static XDocument SessionPage(SessionRecord session, IReadOnlyList<InvoiceRecord> accepted, int page, int pageSize, string version)
    {
        var ns = Namespace(version);
        var pages = PageCount(accepted.Count, pageSize);
        var from = (page - 1) * pageSize;
        var documents = accepted.Skip(from).Take(pageSize).ToList();
        var description = new XElement(ns + "OpisPotwierdzenia",
            new XElement(ns + "Strona", page),
            new XElement(ns + "LiczbaStron", pages),
            new XElement(ns + "ZakresDokumentowOd", from + 1),
            // Inclusive, as the official sample documents are (2 documents: 1..2), though the XSD comment says exclusive.
            new XElement(ns + "ZakresDokumentowDo", from + documents.Count),
            new XElement(ns + "CalkowitaLiczbaDokumentow", accepted.Count));
        return Build(session, version, description, documents);
    }

    /// <summary>How many pages a session UPO of <paramref name="documents"/> documents has (at least one).</summary>
    public static int PageCount(int documents, int pageSize) => Math.Max(1, (documents + pageSize - 1) / pageSize);

    private static XDocument Build(SessionRecord session, string version, XElement? description, IEnumerable<InvoiceRecord> documents)
    {
        var ns = Namespace(version);
        var root = new XElement(ns + "Potwierdzenie",
            new XElement(ns + "NazwaPodmiotuPrzyjmujacego", "Ministerstwo Finansów"),
            new XElement(ns + "NumerReferencyjnySesji", session.ReferenceNumber),
            new XElement(ns + "Uwierzytelnienie",
                new XElement(ns + "IdKontekstu", new XElement(ns + "Nip", session.ContextNip)),
                // Token authentication names the KSeF token; a signature names the hash of the signed document.
                session.KsefTokenReference is { } tokenReference
                    ? new XElement(ns + "NumerReferencyjnyTokenaKSeF", tokenReference)
                    : new XElement(ns + "SkrotDokumentuUwierzytelniajacego", session.AuthenticationDigest ?? AuthenticationDigest(session))),
            description,
            new XElement(ns + "NazwaStrukturyLogicznej", $"Schemat_{session.FormSystemCode.Replace(" ", "", StringComparison.Ordinal)}_v{session.FormSchemaVersion}.xsd"),
            new XElement(ns + "KodFormularza", session.FormSystemCode),
            documents.Select(invoice => new XElement(ns + "Dokument",
                new XElement(ns + "NipSprzedawcy", invoice.SellerNip ?? session.ContextNip),
                new XElement(ns + "NumerKSeFDokumentu", invoice.KsefNumber),
                new XElement(ns + "NumerFaktury", invoice.InvoiceNumber),
                new XElement(ns + "DataWystawieniaFaktury", invoice.InvoicingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new XElement(ns + "DataPrzeslaniaDokumentu", invoice.InvoicingDate.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture)),
                new XElement(ns + "DataNadaniaNumeruKSeF", (invoice.AcquisitionDate ?? invoice.InvoicingDate).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture)),
                new XElement(ns + "SkrotDokumentu", Convert.ToBase64String(invoice.Hash)),
                version == "v4-2" ? null : new XElement(ns + "TrybWysylki", invoice.Offline ? "Offline" : "Online"))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>Stands for the hash of the signed authentication document the session was opened under.</summary>
    private static string AuthenticationDigest(SessionRecord session) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("auth|" + session.ContextNip + "|" + session.ReferenceNumber)));
}
