using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace KsefGen.Runtime.Upo;

/// <summary>
/// A parsed UPO (<c>Potwierdzenie</c>, the official receipt), schema v4-2 or v4-3: an invoice UPO lists one document,
/// a session UPO page lists up to 10,000 and says which page it is. Parsing does not check the signature or the
/// schema; <see cref="UpoVerifier"/> does.
/// </summary>
public sealed class UpoDocument
{
    /// <summary>The v4-2 namespace.</summary>
    public const string NamespaceV4_2 = "http://upo.schematy.mf.gov.pl/KSeF/v4-2";

    /// <summary>The v4-3 namespace.</summary>
    public const string NamespaceV4_3 = "http://upo.schematy.mf.gov.pl/KSeF/v4-3";

    /// <summary>The XML-DSig namespace.</summary>
    public const string XmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

    private UpoDocument() { }

    /// <summary>The schema version, from the root namespace.</summary>
    public UpoSchemaVersion SchemaVersion { get; private init; }

    /// <summary>The root namespace.</summary>
    public string Namespace { get; private init; } = "";

    /// <summary>The optional <c>wersjaSchemy</c> attribute of the root.</summary>
    public string? SchemaVersionAttribute { get; private init; }

    /// <summary>
    /// <c>NazwaPodmiotuPrzyjmujacego</c>: "Ministerstwo Finansów", with an environment suffix on test environments
    /// (for example "Ministerstwo Finansów - środowisko testowe (TE)").
    /// </summary>
    public string ReceivingEntityName { get; private init; } = "";

    /// <summary>The session reference number (<c>NumerReferencyjnySesji</c>) as written.</summary>
    public string SessionReferenceNumber { get; private init; } = "";

    /// <summary>The context the session was authenticated in (<c>IdKontekstu</c>).</summary>
    public UpoContextIdentifier Context { get; private init; } = null!;

    /// <summary>The KSeF token's reference number when the session was opened with a KSeF token (<c>NumerReferencyjnyTokenaKSeF</c>); else null.</summary>
    public string? KsefTokenReferenceNumber { get; private init; }

    /// <summary>
    /// Base64 SHA-256 of the signed authentication document as KSeF received it (<c>SkrotDokumentuUwierzytelniajacego</c>),
    /// when the session was opened with a signature; else null.
    /// </summary>
    public string? AuthenticationDocumentHash { get; private init; }

    /// <summary>The page description of a session UPO (<c>OpisPotwierdzenia</c>); null for an invoice UPO.</summary>
    public UpoPageInfo? PageInfo { get; private init; }

    /// <summary>True for a session UPO page (it has <see cref="PageInfo"/>).</summary>
    public bool IsSessionUpo => PageInfo is not null;

    /// <summary>The logical-structure schema file of the documents (<c>NazwaStrukturyLogicznej</c>), for example <c>Schemat_FA(3)_v1-0E.xsd</c>.</summary>
    public string LogicalStructureName { get; private init; } = "";

    /// <summary>The form code (<c>KodFormularza</c>), for example <c>FA (3)</c>.</summary>
    public string FormCode { get; private init; } = "";

    /// <summary>The accepted invoices listed, in document order.</summary>
    public IReadOnlyList<UpoInvoiceEntry> Documents { get; private init; } = [];

    /// <summary>True when the root has an XML-DSig <c>Signature</c> child (whether it verifies is <see cref="UpoVerifier"/>'s business).</summary>
    public bool HasSignature { get; private init; }

    /// <summary>Parses UPO bytes (any XML encoding the declaration names; UTF-8 by default).</summary>
    /// <param name="xml">The UPO XML.</param>
    /// <exception cref="UpoFormatException">The bytes are not a readable UPO.</exception>
    public static UpoDocument Parse(byte[] xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var stream = new MemoryStream(xml, writable: false);
        return Parse(stream);
    }

    /// <summary>Parses a UPO from a stream (read synchronously to the end).</summary>
    /// <param name="xml">The UPO XML.</param>
    /// <exception cref="UpoFormatException">The stream is not a readable UPO.</exception>
    public static UpoDocument Parse(Stream xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return FromXDocument(Load(() => { using var reader = XmlReader.Create(xml, ReaderSettings(async: false)); return XDocument.Load(reader, LoadOptions.SetLineInfo); }));
    }

    /// <summary>Parses a UPO held as a string.</summary>
    /// <param name="xml">The UPO XML.</param>
    /// <exception cref="UpoFormatException">The text is not a readable UPO.</exception>
    public static UpoDocument Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return FromXDocument(Load(() => { using var reader = XmlReader.Create(new StringReader(xml), ReaderSettings(async: false)); return XDocument.Load(reader, LoadOptions.SetLineInfo); }));
    }

    /// <summary>Parses a UPO from a stream, reading it asynchronously.</summary>
    /// <param name="xml">The UPO XML.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="UpoFormatException">The stream is not a readable UPO.</exception>
    public static async Task<UpoDocument> LoadAsync(Stream xml, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xml);
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(xml, ReaderSettings(async: true));
            document = await XDocument.LoadAsync(reader, LoadOptions.SetLineInfo, cancellationToken).ConfigureAwait(false);
        }
        catch (XmlException e)
        {
            throw new UpoFormatException($"The UPO is not well-formed XML: {e.Message}", e.LineNumber, e.LinePosition, e);
        }
        return FromXDocument(document);
    }

    /// <summary>Reads a UPO from an already loaded document (load it with <see cref="LoadOptions.SetLineInfo"/> for positions in errors).</summary>
    /// <param name="document">The UPO document.</param>
    /// <exception cref="UpoFormatException">The document is not a readable UPO.</exception>
    public static UpoDocument FromXDocument(XDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var root = document.Root ?? throw new UpoFormatException("The UPO has no root element.");
        XNamespace ns = root.Name.NamespaceName;
        var version = root.Name.NamespaceName switch
        {
            NamespaceV4_2 => UpoSchemaVersion.V4_2,
            NamespaceV4_3 => UpoSchemaVersion.V4_3,
            _ => throw Error(root, $"The root element is {{{root.Name.NamespaceName}}}{root.Name.LocalName}; a UPO is Potwierdzenie in namespace {NamespaceV4_2} or {NamespaceV4_3}."),
        };
        if (root.Name.LocalName != "Potwierdzenie") throw Error(root, $"The root element is {root.Name.LocalName}; a UPO's root is Potwierdzenie.");

        var authentication = Required(root, ns + "Uwierzytelnienie");
        var contextElement = Required(authentication, ns + "IdKontekstu").Elements().FirstOrDefault()
            ?? throw Error(authentication, "IdKontekstu is empty; it holds Nip, IdWewnetrzny, IdZlozonyVatUE or IdDostawcyUslugPeppol.");
        var contextType = contextElement.Name.LocalName switch
        {
            "Nip" => UpoContextType.Nip,
            "IdWewnetrzny" => UpoContextType.InternalId,
            "IdZlozonyVatUE" => UpoContextType.NipVatUe,
            "IdDostawcyUslugPeppol" => UpoContextType.PeppolId,
            var other => throw Error(contextElement, $"Unknown context identifier {other} in IdKontekstu."),
        };
        var token = Optional(authentication, ns + "NumerReferencyjnyTokenaKSeF");
        var authenticationHash = Optional(authentication, ns + "SkrotDokumentuUwierzytelniajacego");
        if (token is null && authenticationHash is null)
        {
            throw Error(authentication, "Uwierzytelnienie has neither NumerReferencyjnyTokenaKSeF nor SkrotDokumentuUwierzytelniajacego.");
        }

        UpoPageInfo? pageInfo = null;
        if (root.Element(ns + "OpisPotwierdzenia") is { } description)
        {
            pageInfo = new UpoPageInfo(
                Integer(description, ns + "Strona"),
                Integer(description, ns + "LiczbaStron"),
                Integer(description, ns + "ZakresDokumentowOd"),
                Integer(description, ns + "ZakresDokumentowDo"),
                Integer(description, ns + "CalkowitaLiczbaDokumentow"));
        }

        var documents = root.Elements(ns + "Dokument").Select(d => Entry(d, ns, version)).ToList();
        if (documents.Count == 0) throw Error(root, "The UPO lists no Dokument.");

        return new UpoDocument
        {
            SchemaVersion = version,
            Namespace = ns.NamespaceName,
            SchemaVersionAttribute = (string?)root.Attribute("wersjaSchemy"),
            ReceivingEntityName = Text(root, ns + "NazwaPodmiotuPrzyjmujacego"),
            SessionReferenceNumber = Text(root, ns + "NumerReferencyjnySesji"),
            Context = new UpoContextIdentifier(contextType, Collapse(contextElement.Value)),
            KsefTokenReferenceNumber = token,
            AuthenticationDocumentHash = authenticationHash,
            PageInfo = pageInfo,
            LogicalStructureName = Text(root, ns + "NazwaStrukturyLogicznej"),
            FormCode = Text(root, ns + "KodFormularza"),
            Documents = documents,
            HasSignature = root.Elements(XName.Get("Signature", XmlDsigNamespace)).Any(),
        };
    }

    private static UpoInvoiceEntry Entry(XElement d, XNamespace ns, UpoSchemaVersion version)
    {
        UpoSubmissionMode? mode = null;
        if (d.Element(ns + "TrybWysylki") is { } modeElement)
        {
            mode = modeElement.Value.Trim() switch
            {
                "Online" => UpoSubmissionMode.Online,
                "Offline" => UpoSubmissionMode.Offline,
                var other => throw Error(modeElement, $"TrybWysylki is '{other}'; expected Online or Offline."),
            };
        }
        else if (version == UpoSchemaVersion.V4_3)
        {
            throw Error(d, "Dokument has no TrybWysylki, which schema v4-3 requires.");
        }
        return new UpoInvoiceEntry
        {
            SellerNip = Text(d, ns + "NipSprzedawcy"),
            KsefNumber = Text(d, ns + "NumerKSeFDokumentu"),
            InvoiceNumber = Text(d, ns + "NumerFaktury"),
            IssueDate = Date(d, ns + "DataWystawieniaFaktury"),
            SubmittedAt = DateTime(d, ns + "DataPrzeslaniaDokumentu"),
            KsefNumberAssignedAt = DateTime(d, ns + "DataNadaniaNumeruKSeF"),
            DocumentHash = Text(d, ns + "SkrotDokumentu"),
            SubmissionMode = mode,
        };
    }

    private static XDocument Load(Func<XDocument> load)
    {
        try
        {
            return load();
        }
        catch (XmlException e)
        {
            throw new UpoFormatException($"The UPO is not well-formed XML: {e.Message}", e.LineNumber, e.LinePosition, e);
        }
    }

    internal static XmlReaderSettings ReaderSettings(bool async) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        Async = async,
        CloseInput = false,
    };

    private static XElement Required(XElement parent, XName name) =>
        parent.Element(name) ?? throw Error(parent, $"{parent.Name.LocalName} has no {name.LocalName}.");

    private static string Text(XElement parent, XName name)
    {
        var value = Collapse(Required(parent, name).Value);
        return value.Length > 0 ? value : throw Error(parent.Element(name)!, $"{name.LocalName} is empty.");
    }

    private static string? Optional(XElement parent, XName name) =>
        parent.Element(name) is { } element ? Collapse(element.Value) : null;

    private static int Integer(XElement parent, XName name)
    {
        var element = Required(parent, name);
        return int.TryParse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw Error(element, $"{name.LocalName} is '{element.Value.Trim()}'; expected a positive integer.");
    }

    private static DateOnly Date(XElement parent, XName name)
    {
        var element = Required(parent, name);
        var text = element.Value.Trim();
        // xs:date may carry a time-zone suffix; the date itself is the first ten characters.
        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw Error(element, $"{name.LocalName} is '{text}'; expected an xs:date (yyyy-MM-dd).");
    }

    private static DateTimeOffset DateTime(XElement parent, XName name)
    {
        var element = Required(parent, name);
        var text = element.Value.Trim();
        try
        {
            return XmlConvert.ToDateTimeOffset(text);
        }
        catch (FormatException e)
        {
            throw Error(element, $"{name.LocalName} is '{text}'; expected an xs:dateTime ({e.Message}).");
        }
    }

    /// <summary>xs:token value: whitespace runs collapsed to one space, trimmed.</summary>
    private static string Collapse(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.AsSpan().ContainsAny(" \t\r\n")) return trimmed;
        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                space = true;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static UpoFormatException Error(XObject where, string message) =>
        where is IXmlLineInfo info && info.HasLineInfo()
            ? new UpoFormatException(message, info.LineNumber, info.LinePosition)
            : new UpoFormatException(message);
}
