using System.Globalization;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using KsefGen.Sandbox.Identifiers;

namespace KsefGen.Sandbox.Processing;

/// <summary>What the sandbox read from an invoice document and the final status it deserves.</summary>
/// <param name="Code">The invoice status code the document earns (200, 410, 415, 430, 450).</param>
/// <param name="Detail">Why, for a failure.</param>
/// <param name="SellerNip">Podmiot1/DaneIdentyfikacyjne/NIP, when readable.</param>
/// <param name="InvoiceNumber">Fa/P_2, when readable.</param>
/// <param name="Kind">Fa/RodzajFaktury (VAT, KOR, ZAL ...), when readable.</param>
/// <param name="IssueDate">Fa/P_1, when readable.</param>
internal sealed record InvoiceVerdict(int Code, string? Detail, string? SellerNip, string? InvoiceNumber, string? Kind, DateOnly? IssueDate = null)
{
    /// <summary>
    /// Automatic offline mode (docs: "Automatyczne określanie trybu wysyłki offline"): an invoice sent as online whose
    /// issue date is a calendar day (Polish time) before its invoicing date is marked offline.
    /// </summary>
    public bool IsLate(DateTimeOffset invoicingDate) => IssueDate is { } issued && issued < InvoiceChecks.PolishDay(invoicingDate);

    /// <summary>For a document that passed the checks: its XML and what the receiving side reads from it (kept once accepted).</summary>
    public InvoiceDocument? Document { get; init; }
}

/// <summary>
/// The checks KSeF makes on an invoice, as far as a fake can: decryption (435), the file (430: XML, the FA root and the
/// elements the duplicate key needs), permissions (410: the seller must be the session's context), attachments (415:
/// online sessions only) and semantics (450: seller NIP checksum, an issue date not in the future). Duplicates (440)
/// are decided when the invoice is accepted, against every invoice accepted before.
/// </summary>
internal static class InvoiceChecks
{
    private static readonly TimeZoneInfo Poland = FindPoland();

    /// <summary>The calendar day of an instant in Poland (where KSeF compares issue and invoicing dates).</summary>
    public static DateOnly PolishDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Poland).DateTime);

    private static TimeZoneInfo FindPoland()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // No time-zone data on the machine: UTC+1 is Polish winter time, off by an hour in summer.
            return TimeZoneInfo.CreateCustomTimeZone("Poland", TimeSpan.FromHours(1), "Poland", "Poland");
        }
    }

    /// <summary>AES-256-CBC/PKCS#7 decryption; null when the key, IV or padding do not fit.</summary>
    public static byte[]? Decrypt(byte[] content, byte[]? key, byte[]? iv)
    {
        if (key is not { Length: 32 } || iv is not { Length: 16 } || content.Length == 0 || content.Length % 16 != 0) return null;
        try
        {
            using var aes = Aes.Create();
            aes.Key = key;
            return aes.DecryptCbc(content, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Intake of an invoice sent in an online session: decrypt it with the session's key, check it is the document the
    /// client declared (size and SHA-256), then read it. 435 when it does not decrypt, 430 when it is not what was declared.
    /// </summary>
    public static InvoiceVerdict Intake(byte[] encrypted, long declaredSize, byte[] declaredHash, State.SessionRecord session, bool attachmentsAllowed, DateTimeOffset now)
    {
        var plain = Decrypt(encrypted, session.SymmetricKey, session.InitializationVector);
        var matches = plain is not null && plain.Length == declaredSize && SHA256.HashData(plain).AsSpan().SequenceEqual(declaredHash);
        // A wrong key usually breaks the padding, but 1 time in ~256 "decrypts" to noise: noise that is not the
        // declared document and does not even look like XML is a decryption failure too.
        if (plain is null || (!matches && !LooksLikeXml(plain))) return new InvoiceVerdict(435, "The invoice could not be decrypted with the session key.", null, null, null);
        if (!matches) return new InvoiceVerdict(430, "invoiceHash/invoiceSize do not match the decrypted invoice.", null, null, null);
        return Evaluate(plain, session.ContextNip, attachmentsAllowed, now);
    }

    private static bool LooksLikeXml(byte[] plain)
    {
        var text = plain.AsSpan();
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) text = text[3..];
        text = text.TrimStart((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n']);
        return text.Length > 0 && text[0] == (byte)'<';
    }

    /// <summary>Reads a decrypted invoice and decides its final status.</summary>
    public static InvoiceVerdict Evaluate(byte[] xml, string contextNip, bool attachmentsAllowed, DateTimeOffset now)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            return new InvoiceVerdict(430, "The invoice is not well-formed XML: " + e.Message, null, null, null);
        }

        var faktura = document.Root;
        var root = faktura?.Name.LocalName;
        var fa = Child(faktura, "Fa");
        var nip = Child(Child(Child(faktura, "Podmiot1"), "DaneIdentyfikacyjne"), "NIP")?.Value.Trim();
        var number = Child(fa, "P_2")?.Value.Trim();
        var kind = Child(fa, "RodzajFaktury")?.Value.Trim();
        var issued = Child(fa, "P_1")?.Value.Trim();
        var attachments = faktura?.Descendants().Any(e => e.Name.LocalName == "Zalacznik") == true;
        if (root != "Faktura") return new InvoiceVerdict(430, $"The root element is {root ?? "missing"}, not Faktura.", nip, number, kind);
        if (string.IsNullOrWhiteSpace(nip) || string.IsNullOrWhiteSpace(number) || string.IsNullOrWhiteSpace(kind))
        {
            return new InvoiceVerdict(430, "Podmiot1/DaneIdentyfikacyjne/NIP, Fa/P_2 and Fa/RodzajFaktury are required.", nip, number, kind);
        }
        if (!KsefGen.Runtime.Nip.IsValid(nip)) return new InvoiceVerdict(450, $"Seller NIP {nip} has a wrong checksum.", nip, number, kind);
        DateOnly? issueDate = null;
        if (issued is not null)
        {
            // Issued later than today in Poland (where KSeF dates invoices) is a semantic error; the official SDK's
            // technical-correction tests send "tomorrow" and expect 450.
            if (!DateOnly.TryParseExact(issued, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || date > PolishDay(now))
            {
                return new InvoiceVerdict(450, $"P_1 ({issued}) is not a valid issue date, or lies in the future.", nip, number, kind);
            }
            issueDate = date;
        }
        if (nip != contextNip) return new InvoiceVerdict(410, $"Context {contextNip} may not issue invoices of seller {nip}.", nip, number, kind, issueDate);
        // Attachments need the taxpayer's consent (/testdata/attachment on TEST); without it the live server answers 410
        // with this detail, in online and batch sessions alike (the official SDK's attachment tests).
        if (attachments && !attachmentsAllowed) return new InvoiceVerdict(410, $"Sprzedawca {nip} nie posiada zgody do wysyłania faktur z załącznikami", nip, number, kind, issueDate);
        return new InvoiceVerdict(200, null, nip, number, kind, issueDate) { Document = new InvoiceDocument(xml, InvoiceFacts.Read(faktura!, issueDate ?? PolishDay(now))) };
    }

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);
}
