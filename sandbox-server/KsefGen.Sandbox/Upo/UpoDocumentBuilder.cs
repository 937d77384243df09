using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Upo;

/// <summary>
/// UPO documents (the official receipt) in schema v4-3: an invoice UPO holds one Dokument; a session UPO page holds
/// up to a page's worth of accepted invoices with OpisPotwierdzenia saying which page it is.
/// </summary>
public static class UpoDocumentBuilder
{
    /// <summary>The v4-3 namespace.</summary>
    public static readonly XNamespace V43 = "http://upo.schematy.mf.gov.pl/KSeF/v4-3";

    /// <summary>The UPO of one accepted invoice.</summary>
    public static XDocument Invoice(SessionRecord session, InvoiceRecord invoice) =>
        Build(session, null, [invoice]);

    /// <summary>Page <paramref name="page"/> (1-based) of a session UPO.</summary>
    public static XDocument SessionPage(SessionRecord session, IReadOnlyList<InvoiceRecord> accepted, int page, int pageSize)
    {
        var pages = PageCount(accepted.Count, pageSize);
        var from = (page - 1) * pageSize;
        var documents = accepted.Skip(from).Take(pageSize).ToList();
        var description = new XElement(V43 + "OpisPotwierdzenia",
            new XElement(V43 + "Strona", page),
            new XElement(V43 + "LiczbaStron", pages),
            new XElement(V43 + "ZakresDokumentowOd", from + 1),
            // Inclusive, as the official sample documents are (2 documents: 1..2), though the XSD comment says exclusive.
            new XElement(V43 + "ZakresDokumentowDo", from + documents.Count),
            new XElement(V43 + "CalkowitaLiczbaDokumentow", accepted.Count));
        return Build(session, description, documents);
    }

    /// <summary>How many pages a session UPO of <paramref name="documents"/> documents has (at least one).</summary>
    public static int PageCount(int documents, int pageSize) => Math.Max(1, (documents + pageSize - 1) / pageSize);

    private static XDocument Build(SessionRecord session, XElement? description, IEnumerable<InvoiceRecord> documents)
    {
        var root = new XElement(V43 + "Potwierdzenie",
            new XElement(V43 + "NazwaPodmiotuPrzyjmujacego", "Ministerstwo Finansów"),
            new XElement(V43 + "NumerReferencyjnySesji", session.ReferenceNumber),
            new XElement(V43 + "Uwierzytelnienie",
                new XElement(V43 + "IdKontekstu", new XElement(V43 + "Nip", session.ContextNip)),
                new XElement(V43 + "SkrotDokumentuUwierzytelniajacego", AuthenticationDigest(session))),
            description,
            new XElement(V43 + "NazwaStrukturyLogicznej", "Schemat_FA(3)_v1-0E.xsd"),
            new XElement(V43 + "KodFormularza", "FA (3)"),
            documents.Select(invoice => new XElement(V43 + "Dokument",
                new XElement(V43 + "NipSprzedawcy", session.ContextNip),
                new XElement(V43 + "NumerKSeFDokumentu", invoice.KsefNumber),
                new XElement(V43 + "NumerFaktury", invoice.InvoiceNumber),
                new XElement(V43 + "DataWystawieniaFaktury", invoice.InvoicingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new XElement(V43 + "DataPrzeslaniaDokumentu", invoice.InvoicingDate.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture)),
                new XElement(V43 + "DataNadaniaNumeruKSeF", (invoice.AcquisitionDate ?? invoice.InvoicingDate).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture)),
                new XElement(V43 + "SkrotDokumentu", Convert.ToBase64String(invoice.Hash)),
                new XElement(V43 + "TrybWysylki", invoice.Offline ? "Offline" : "Online"))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>Stands for the hash of the signed authentication document the session was opened under.</summary>
    private static string AuthenticationDigest(SessionRecord session) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("auth|" + session.ContextNip + "|" + session.ReferenceNumber)));
}
