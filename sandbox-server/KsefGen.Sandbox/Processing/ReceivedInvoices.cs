using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>An accepted invoice as the receiving side sees it; its facts are read (or generated) on first use.</summary>
internal sealed class ReceivedInvoice(SessionRecord session, InvoiceRecord invoice, Func<SessionRecord, InvoiceRecord, InvoiceFacts> facts)
{
    private InvoiceFacts? _facts;

    /// <summary>The session the invoice was sent (or seeded) in.</summary>
    public SessionRecord Session { get; } = session;

    /// <summary>The invoice.</summary>
    public InvoiceRecord Invoice { get; } = invoice;

    /// <summary>The KSeF number.</summary>
    public string KsefNumber => Invoice.KsefNumber!;

    /// <summary>When it reached permanent storage.</summary>
    public DateTimeOffset PermanentStorageDate => Invoice.PermanentStorageDate ?? Invoice.InvoicingDate;

    /// <summary>What the document says.</summary>
    public InvoiceFacts Facts => _facts ??= facts(Session, Invoice);

    /// <summary>The document: as sent, or generated for a seeded invoice.</summary>
    public byte[] Content => Invoice.Document?.Content ?? SeededInvoices.Document(Facts, Invoice.InvoicingDate);

    /// <summary>The InvoiceMetadata of /invoices/query/metadata and of an export's _metadata.json.</summary>
    public InvoiceMetadata ToMetadata()
    {
        var facts = Facts;
        return new InvoiceMetadata
        {
            KsefNumber = KsefNumber,
            InvoiceNumber = facts.InvoiceNumber,
            IssueDate = facts.IssueDate,
            InvoicingDate = Invoice.InvoicingDate,
            AcquisitionDate = Invoice.AcquisitionDate ?? Invoice.InvoicingDate,
            PermanentStorageDate = PermanentStorageDate,
            Seller = new InvoiceMetadataSeller { Nip = facts.SellerNip, Name = facts.SellerName },
            Buyer = new InvoiceMetadataBuyer
            {
                Identifier = new InvoiceMetadataBuyerIdentifier { Type = new BuyerIdentifierType(facts.Buyer.Type), Value = facts.Buyer.Value },
                Name = facts.Buyer.Name,
            },
            NetAmount = (double)facts.NetAmount,
            GrossAmount = (double)facts.GrossAmount,
            VatAmount = (double)facts.VatAmount,
            Currency = facts.Currency,
            InvoicingMode = Invoice.Offline ? InvoicingMode.Offline : InvoicingMode.Online,
            InvoiceType = new InvoiceType(facts.InvoiceType),
            FormCode = new FormCode { SystemCode = facts.FormSystemCode, SchemaVersion = facts.FormSchemaVersion, Value = facts.FormValue },
            IsSelfInvoicing = facts.IsSelfInvoicing,
            HasAttachment = facts.HasAttachment,
            InvoiceHash = Invoice.Hash,
            ThirdSubjects = [.. facts.ThirdSubjects.Select(s => new InvoiceMetadataThirdSubject
            {
                Identifier = new InvoiceMetadataThirdSubjectIdentifier { Type = new ThirdSubjectIdentifierType(s.Type), Value = s.Value },
                Name = s.Name,
                Role = s.Role,
            })],
            AuthorizedSubject = facts.Authorized is { } authorized
                ? new InvoiceMetadataAuthorizedSubject { Nip = authorized.Value ?? "", Name = authorized.Name, Role = authorized.Role }
                : null,
        };
    }
}

/// <summary>One page of a metadata query: what it holds, whether more follow, whether the technical limit cut the results.</summary>
/// <param name="Invoices">The page.</param>
/// <param name="HasMore">More matching records follow this page.</param>
/// <param name="IsTruncated">This page reaches the limit and more records match: narrow dateRange and start again at page 0.</param>
internal sealed record InvoicePage(IReadOnlyList<ReceivedInvoice> Invoices, bool HasMore, bool IsTruncated)
{
    /// <summary>
    /// Page <paramref name="pageOffset"/> (0-based) of <paramref name="pageSize"/> records of the matches, in the asked
    /// order, of which only the first <paramref name="limit"/> can be paged ("≤ 10 000 rekordów na zestaw filtrów").
    /// A page past the limit is empty and still says hasMore and isTruncated: the way on is a narrower date range.
    /// </summary>
    public static InvoicePage Cut(IReadOnlyList<ReceivedInvoice> ascending, bool descending, int pageOffset, int pageSize, int limit)
    {
        var total = ascending.Count;
        var start = (long)pageOffset * pageSize;
        var end = Math.Min(start + pageSize, Math.Min(total, limit));
        var page = new List<ReceivedInvoice>();
        for (var i = start; i < end; i++) page.Add(ascending[descending ? total - 1 - (int)i : (int)i]);
        var truncated = total > limit && start + pageSize >= limit;
        return new InvoicePage(page, total > start + page.Count, truncated);
    }
}

/// <summary>The filters of a metadata query or an export, checked: subject and date types known, a range of at most three months.</summary>
/// <param name="Filters">The filters as sent.</param>
/// <param name="SubjectType">Subject1, Subject2, Subject3 or SubjectAuthorized.</param>
/// <param name="DateType">Issue, Invoicing or PermanentStorage.</param>
/// <param name="RestrictToHwm">restrictToPermanentStorageHwmDate, which only PermanentStorage queries honour.</param>
internal sealed record InvoiceCriteria(InvoiceQueryFilters Filters, string SubjectType, string DateType, bool RestrictToHwm)
{
    /// <summary>The longest date range a query may span ("Maksymalny dozwolony okres wynosi 3 miesiące").</summary>
    public const int MaxRangeMonths = 3;

    /// <summary>The checked criteria, or null and the 21405 detail.</summary>
    public static InvoiceCriteria? Parse(InvoiceQueryFilters? filters, out string problem)
    {
        problem = "";
        if (filters is null)
        {
            problem = "filters are required.";
            return null;
        }
        if (!filters.SubjectType.IsKnown)
        {
            problem = $"subjectType must be one of {string.Join(", ", InvoiceQuerySubjectType.KnownValues)}.";
            return null;
        }
        var range = filters.DateRange;
        if (range is null || !range.DateType.IsKnown || range.From == default)
        {
            problem = $"dateRange needs dateType ({string.Join(", ", InvoiceQueryDateType.KnownValues)}) and from.";
            return null;
        }
        if (range.To is { } to && to < range.From)
        {
            problem = "dateRange.to is earlier than dateRange.from.";
            return null;
        }
        if (range.To is { } end && range.From.UtcDateTime.AddMonths(MaxRangeMonths) < end.UtcDateTime)
        {
            problem = $"dateRange spans more than {MaxRangeMonths} months.";
            return null;
        }
        if (filters.Amount is { } amount && (!amount.Type.IsKnown || amount.From > amount.To))
        {
            problem = $"amount needs a type ({string.Join(", ", AmountType.KnownValues)}) and from ≤ to.";
            return null;
        }
        if (filters.BuyerIdentifier is { } buyer && !buyer.Type.IsKnown)
        {
            problem = $"buyerIdentifier.type must be one of {string.Join(", ", BuyerIdentifierType.KnownValues)}.";
            return null;
        }
        if (filters.InvoiceTypes?.FirstOrDefault(t => !t.IsKnown) is { Value.Length: > 0 } unknownType)
        {
            problem = $"invoiceTypes: '{unknownType.Value}' is not one of {string.Join(", ", InvoiceType.KnownValues)}.";
            return null;
        }
        if (filters.FormType is { IsKnown: false } form)
        {
            problem = $"formType: '{form.Value}' is not one of {string.Join(", ", InvoiceQueryFormType.KnownValues)}.";
            return null;
        }
        if (filters.InvoicingMode is { IsKnown: false } mode)
        {
            problem = $"invoicingMode: '{mode.Value}' is not one of {string.Join(", ", InvoicingMode.KnownValues)}.";
            return null;
        }
        var dateType = range.DateType.Value;
        return new InvoiceCriteria(filters, filters.SubjectType.Value, dateType, dateType == "PermanentStorage" && range.RestrictToPermanentStorageHwmDate == true);
    }

    /// <summary>True when some filter needs the document's facts (not just the record).</summary>
    public bool NeedsFacts =>
        SubjectType != "Subject1" || DateType == "Issue" || Filters.Amount is not null || Filters.SellerNip is not null || Filters.BuyerIdentifier is not null
        || Filters.CurrencyCodes is { Count: > 0 } || Filters.IsSelfInvoicing is not null || Filters.FormType is not null
        || Filters.InvoiceTypes is { Count: > 0 } || Filters.HasAttachment is not null;
}

/// <summary>The invoices a query matched, in ascending date order, and the high-water mark that applies to it.</summary>
/// <param name="Invoices">Every match (the caller pages and caps).</param>
/// <param name="PermanentStorageHwmDate">For PermanentStorage queries: min(dateRange.to or now, HWM); null otherwise.</param>
/// <param name="FromBeyondHwm">restrictToPermanentStorageHwmDate with dateRange.from after the HWM (21183, export 420).</param>
internal sealed record InvoiceSelection(IReadOnlyList<ReceivedInvoice> Invoices, DateTimeOffset? PermanentStorageHwmDate, bool FromBeyondHwm);

/// <summary>
/// The receiving side of KSeF over the store: which accepted invoices a context sees in which role, the metadata
/// filters, the date order, the permanent-storage high-water mark (HWM), and look-ups by KSeF number. Seeded and sent
/// invoices alike; a seeded invoice's facts and XML are generated from its record.
/// </summary>
internal sealed class ReceivedInvoices(SandboxStore store, SandboxOptions options)
{
    /// <summary>
    /// The HWM at <paramref name="now"/>: nothing will reach permanent storage at or before it any more. In the sandbox
    /// an invoice is stored the moment it is accepted, so "now" would be exact; the configured lag leaves a window
    /// (HWM, now] of invoices already visible, as hwm.md describes, so clients meet both sides of the mark.
    /// </summary>
    public DateTimeOffset HighWaterMark(DateTimeOffset now) => now - options.PermanentStorageHwmLag;

    /// <summary>The accepted invoice with that KSeF number, whoever may see it, or null.</summary>
    public ReceivedInvoice? Find(string ksefNumber)
    {
        // A KSeF number starts with the seller's NIP, and an accepted invoice's seller is its session's context.
        var dash = ksefNumber.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0) return null;
        var lookup = Contexts();
        foreach (var session in store.SessionsOf(ksefNumber[..dash]))
        {
            if (session.FindInvoiceByKsefNumber(ksefNumber) is { Status: 200 } invoice) return new ReceivedInvoice(session, invoice, lookup.Facts);
        }
        return null;
    }

    /// <summary>Every accepted invoice in which <paramref name="contextNip"/> plays the criteria's role and which passes every filter, in ascending date order.</summary>
    public InvoiceSelection Select(InvoiceCriteria criteria, string contextNip, DateTimeOffset now)
    {
        var filters = criteria.Filters;
        var hwm = HighWaterMark(now);
        var from = filters.DateRange.From;
        var to = filters.DateRange.To ?? now;
        var beyond = false;
        if (criteria.RestrictToHwm)
        {
            beyond = from > hwm;
            if (to > hwm) to = hwm;
        }
        DateTimeOffset? hwmDate = criteria.DateType == "PermanentStorage" ? (to < hwm ? to : hwm) : null;
        if (beyond) return new InvoiceSelection([], hwmDate, FromBeyondHwm: true);

        var lookup = Contexts();
        var sessions = criteria.SubjectType == "Subject1" ? store.SessionsOf(contextNip) : store.Sessions;
        var fromDay = InvoiceChecks.PolishDay(from);
        var toDay = InvoiceChecks.PolishDay(to);
        var matches = new List<ReceivedInvoice>();
        foreach (var session in sessions)
        {
            foreach (var invoice in session.Invoices)
            {
                if (invoice.Status != 200 || invoice.KsefNumber is null) continue;
                if (filters.KsefNumber is { } ksef && invoice.KsefNumber != ksef) continue;
                if (filters.InvoiceNumber is { } number && invoice.InvoiceNumber != number) continue;
                if (filters.InvoicingMode is { } mode && (invoice.Offline ? "Offline" : "Online") != mode.Value) continue;
                var date = criteria.DateType == "Invoicing" ? invoice.InvoicingDate : invoice.PermanentStorageDate ?? invoice.InvoicingDate;
                if (criteria.DateType != "Issue" && (date < from || date > to)) continue;
                // Buyers of seeded invoices are checked on the record, before any facts are generated.
                if (criteria.SubjectType == "Subject2" && invoice.Document is null && !lookup.SoldTo(session, invoice, contextNip)) continue;
                var received = new ReceivedInvoice(session, invoice, lookup.Facts);
                if (criteria.NeedsFacts && !Matches(received.Facts, criteria, contextNip, fromDay, toDay)) continue;
                matches.Add(received);
            }
        }
        matches.Sort(criteria.DateType switch
        {
            "Invoicing" => static (a, b) => Compare(a.Invoice.InvoicingDate, b.Invoice.InvoicingDate, a, b),
            "Issue" => static (a, b) => a.Facts.IssueDate != b.Facts.IssueDate
                ? a.Facts.IssueDate.CompareTo(b.Facts.IssueDate)
                : Compare(a.Invoice.InvoicingDate, b.Invoice.InvoicingDate, a, b),
            _ => static (a, b) => Compare(a.PermanentStorageDate, b.PermanentStorageDate, a, b),
        });
        return new InvoiceSelection(matches, hwmDate, FromBeyondHwm: false);
    }

    /// <summary>The date a query of <paramref name="dateType"/> orders by, as an instant (issue dates at midnight UTC).</summary>
    public static DateTimeOffset SortDate(ReceivedInvoice invoice, string dateType) => dateType switch
    {
        "Invoicing" => invoice.Invoice.InvoicingDate,
        "Issue" => new DateTimeOffset(invoice.Facts.IssueDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        _ => invoice.PermanentStorageDate,
    };

    private static int Compare(DateTimeOffset x, DateTimeOffset y, ReceivedInvoice a, ReceivedInvoice b) =>
        x != y ? x.CompareTo(y) : string.CompareOrdinal(a.KsefNumber, b.KsefNumber);

    private static bool Matches(InvoiceFacts facts, InvoiceCriteria criteria, string contextNip, DateOnly fromDay, DateOnly toDay)
    {
        var filters = criteria.Filters;
        if (!facts.HasParty(criteria.SubjectType, contextNip)) return false;
        if (criteria.DateType == "Issue" && (facts.IssueDate < fromDay || facts.IssueDate > toDay)) return false;
        if (filters.SellerNip is { } seller && facts.SellerNip != seller) return false;
        if (filters.BuyerIdentifier is { } buyer && (facts.Buyer.Type != buyer.Type.Value || (buyer.Value is { } value && facts.Buyer.Value != value))) return false;
        if (filters.Amount is { } amount)
        {
            var figure = (double)(amount.Type.Value switch
            {
                "Netto" => facts.NetAmount,
                "Vat" => facts.VatAmount,
                _ => facts.GrossAmount,
            });
            if (figure < amount.From || figure > amount.To) return false;
        }
        if (filters.CurrencyCodes is { Count: > 0 } currencies && !currencies.Any(c => c.Value == facts.Currency)) return false;
        if (filters.IsSelfInvoicing is { } self && facts.IsSelfInvoicing != self) return false;
        if (filters.FormType is { } form && facts.FormValue != form.Value) return false;
        if (filters.InvoiceTypes is { Count: > 0 } types && !types.Any(t => t.Value == facts.InvoiceType)) return false;
        if (filters.HasAttachment is { } attachment && facts.HasAttachment != attachment) return false;
        return true;
    }

    private ContextLookup Contexts() => new(store);

    /// <summary>Who sold a seeded invoice and to whom: each context and the one seeded before it.</summary>
    private sealed class ContextLookup
    {
        private readonly Dictionary<string, (SandboxContext Self, SandboxContext? Previous)> _contexts = new(StringComparer.Ordinal);

        public ContextLookup(SandboxStore store)
        {
            SandboxContext? previous = null;
            foreach (var context in store.Contexts)
            {
                var seeded = store.IsSeeded(context.Nip);
                _contexts[context.Nip] = (context, seeded ? previous : null);
                if (seeded) previous = context;
            }
        }

        public InvoiceFacts Facts(SessionRecord session, InvoiceRecord invoice)
        {
            if (invoice.Document is { } document) return document.Facts;
            var (self, previous) = _contexts.TryGetValue(session.ContextNip, out var known) ? known : (new SandboxContext(session.ContextNip, "Podmiot " + session.ContextNip), null);
            return SeededInvoices.Facts(self, previous, invoice.ReferenceNumber, invoice.InvoiceNumber ?? invoice.ReferenceNumber, invoice.InvoicingDate, invoice.Offline);
        }

        public bool SoldTo(SessionRecord session, InvoiceRecord invoice, string buyerNip) =>
            SeededInvoices.SoldTo(_contexts.TryGetValue(session.ContextNip, out var known) ? known.Previous : null, invoice.ReferenceNumber, buyerNip);
    }
}
