using System.Globalization;
using System.Xml.Linq;

namespace KsefGen.Sandbox.Processing;

/// <summary>A party of an invoice other than the seller: its identifier type (Nip, VatUe, Other, None, InternalId), value, name and role.</summary>
/// <param name="Type">The identifier type, as the metadata names it.</param>
/// <param name="Value">The identifier (null for None).</param>
/// <param name="Name">The name the document gives.</param>
/// <param name="Role">Podmiot3/Rola or PodmiotUpowazniony/RolaPU (0 for the buyer).</param>
internal sealed record InvoiceParty(string Type, string? Value, string? Name, int Role = 0)
{
    /// <summary>True when the party is identified by the NIP <paramref name="nip"/>.</summary>
    public bool IsNip(string nip) => Type == "Nip" && Value == nip;
}

/// <summary>
/// What the receiving side of KSeF (metadata queries, exports, downloads) knows about an accepted invoice: everything
/// /invoices/query/metadata filters on or returns that the document itself states.
/// </summary>
/// <param name="SellerNip">Podmiot1/DaneIdentyfikacyjne/NIP.</param>
/// <param name="SellerName">Podmiot1/DaneIdentyfikacyjne/Nazwa.</param>
/// <param name="Buyer">Podmiot2 (type None when the document names no identifier).</param>
/// <param name="ThirdSubjects">Every Podmiot3.</param>
/// <param name="Authorized">PodmiotUpowazniony, when present (its identifier is a NIP).</param>
/// <param name="IssueDate">Fa/P_1.</param>
/// <param name="InvoiceNumber">Fa/P_2.</param>
/// <param name="NetAmount">The sum of the Fa/P_13_* net amounts.</param>
/// <param name="VatAmount">The sum of the Fa/P_14_* VAT amounts, in PLN (P_14_*W for a foreign currency).</param>
/// <param name="GrossAmount">Fa/P_15.</param>
/// <param name="Currency">Fa/KodWaluty.</param>
/// <param name="InvoiceType">Fa/RodzajFaktury as the metadata names it (Vat, Kor, Zal, ... VatRr).</param>
/// <param name="FormSystemCode">Naglowek/KodFormularza/@kodSystemowy.</param>
/// <param name="FormSchemaVersion">Naglowek/KodFormularza/@wersjaSchemy.</param>
/// <param name="FormValue">Naglowek/KodFormularza (FA, PEF, FA_RR).</param>
/// <param name="IsSelfInvoicing">Fa/Adnotacje/P_17 = 1 (samofakturowanie).</param>
/// <param name="HasAttachment">Whether the document has a Zalacznik.</param>
internal sealed record InvoiceFacts(
    string SellerNip,
    string? SellerName,
    InvoiceParty Buyer,
    IReadOnlyList<InvoiceParty> ThirdSubjects,
    InvoiceParty? Authorized,
    DateOnly IssueDate,
    string InvoiceNumber,
    decimal NetAmount,
    decimal VatAmount,
    decimal GrossAmount,
    string Currency,
    string InvoiceType,
    string FormSystemCode,
    string FormSchemaVersion,
    string FormValue,
    bool IsSelfInvoicing,
    bool HasAttachment)
{
    private static readonly string[] NetFields = ["P_13_1", "P_13_2", "P_13_3", "P_13_4", "P_13_5", "P_13_6_1", "P_13_6_2", "P_13_6_3", "P_13_7", "P_13_8", "P_13_9", "P_13_10", "P_13_11"];
    private static readonly string[] VatFields = ["P_14_1", "P_14_2", "P_14_3", "P_14_4", "P_14_5"];

    /// <summary>True when <paramref name="nip"/> takes part in the invoice in the given role (Subject1, Subject2, Subject3, SubjectAuthorized).</summary>
    public bool HasParty(string subjectType, string nip) => subjectType switch
    {
        "Subject1" => SellerNip == nip,
        "Subject2" => Buyer.IsNip(nip),
        "Subject3" => ThirdSubjects.Any(s => s.IsNip(nip) || (s.Type == "InternalId" && s.Value?.StartsWith(nip + "-", StringComparison.Ordinal) == true)),
        "SubjectAuthorized" => Authorized?.IsNip(nip) == true,
        _ => false,
    };

    /// <summary>True when <paramref name="nip"/> is any party of the invoice (who may download it).</summary>
    public bool IsParty(string nip) => HasParty("Subject1", nip) || HasParty("Subject2", nip) || HasParty("Subject3", nip) || HasParty("SubjectAuthorized", nip);

    /// <summary>
    /// Reads the facts from a document the checks accepted (root Faktura with Podmiot1 NIP, P_2 and RodzajFaktury).
    /// Missing amounts count as 0, a missing currency as PLN, a missing P_1 as <paramref name="fallbackIssueDate"/>.
    /// </summary>
    public static InvoiceFacts Read(XElement faktura, DateOnly fallbackIssueDate)
    {
        var fa = Child(faktura, "Fa");
        var form = Child(Child(faktura, "Naglowek"), "KodFormularza");
        var seller = Child(Child(faktura, "Podmiot1"), "DaneIdentyfikacyjne");
        var currency = Text(Child(fa, "KodWaluty")) ?? "PLN";
        var foreign = currency != "PLN";
        var vat = 0m;
        foreach (var field in VatFields)
        {
            // "Łączna kwota VAT wyrażona w PLN": a foreign-currency invoice states the PLN amounts in P_14_*W.
            vat += Amount(foreign ? Child(fa, field + "W") ?? Child(fa, field) : Child(fa, field));
        }
        var issued = Text(Child(fa, "P_1")) is { } p1 && DateOnly.TryParseExact(p1, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : fallbackIssueDate;
        var kind = Text(Child(fa, "RodzajFaktury")) ?? "VAT";
        var systemCode = form?.Attribute("kodSystemowy")?.Value ?? "FA (3)";
        return new InvoiceFacts(
            Text(Child(seller, "NIP")) ?? "",
            Text(Child(seller, "Nazwa")),
            Party(Child(faktura, "Podmiot2"), null),
            [.. faktura.Elements().Where(e => e.Name.LocalName == "Podmiot3").Select(p => Party(p, "Rola"))],
            Child(faktura, "PodmiotUpowazniony") is { } authorized ? Party(authorized, "RolaPU") : null,
            issued,
            Text(Child(fa, "P_2")) ?? "",
            NetFields.Sum(f => Amount(Child(fa, f))),
            vat,
            Amount(Child(fa, "P_15")),
            currency,
            InvoiceTypeOf(kind),
            systemCode,
            form?.Attribute("wersjaSchemy")?.Value ?? "1-0E",
            Text(form) ?? "FA",
            Text(Child(Child(fa, "Adnotacje"), "P_17")) == "1",
            faktura.Descendants().Any(e => e.Name.LocalName == "Zalacznik"));
    }

    /// <summary>RodzajFaktury (VAT, KOR_ZAL, VAT_RR ...) as the metadata's InvoiceType (Vat, KorZal, VatRr ...).</summary>
    public static string InvoiceTypeOf(string kind) => kind.ToUpperInvariant() switch
    {
        "VAT" => "Vat",
        "ZAL" => "Zal",
        "KOR" => "Kor",
        "ROZ" => "Roz",
        "UPR" => "Upr",
        "KOR_ZAL" => "KorZal",
        "KOR_ROZ" => "KorRoz",
        "VAT_RR" => "VatRr",
        "KOR_VAT_RR" => "KorVatRr",
        "VAT_PEF" => "VatPef",
        "VAT_PEF_SP" => "VatPefSp",
        "KOR_PEF" => "KorPef",
        _ => "Vat",
    };

    private static InvoiceParty Party(XElement? subject, string? roleElement)
    {
        var id = Child(subject, "DaneIdentyfikacyjne");
        var name = Text(Child(id, "Nazwa"));
        var role = roleElement is not null && int.TryParse(Text(Child(subject, roleElement)), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;
        if (Text(Child(id, "NIP")) is { } nip) return new InvoiceParty("Nip", nip, name, role);
        if (Text(Child(id, "IDWew")) is { } internalId) return new InvoiceParty("InternalId", internalId, name, role);
        if (Text(Child(id, "NrVatUE")) is { } vatUe) return new InvoiceParty("VatUe", (Text(Child(id, "KodUE")) ?? "") + vatUe, name, role);
        if (Text(Child(id, "NrID")) is { } other) return new InvoiceParty("Other", other, name, role);
        return new InvoiceParty("None", null, name, role);
    }

    private static decimal Amount(XElement? element) =>
        decimal.TryParse(Text(element), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : 0m;

    private static string? Text(XElement? element) => element?.Value.Trim() is { Length: > 0 } text ? text : null;

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);
}

/// <summary>An accepted invoice's plain XML, kept for downloads and exports, and what was read from it.</summary>
/// <param name="Content">The decrypted document, byte for byte as the client sent it.</param>
/// <param name="Facts">What the metadata says about it.</param>
internal sealed record InvoiceDocument(byte[] Content, InvoiceFacts Facts);
