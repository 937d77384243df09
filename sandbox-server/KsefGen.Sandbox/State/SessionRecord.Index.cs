namespace KsefGen.Sandbox.State;

/// <summary>
/// Derived views of a session's invoices that requests need in constant or logarithmic time: the counters of the
/// status responses, the failed list, and look-ups by reference or KSeF number. They are computed on first use and
/// recomputed only when the session gained invoices (the list is append-only) or an invoice's status or KSeF number
/// changed anywhere (<see cref="InvoiceRecord.ChangeVersion"/>), so they always agree with a scan of
/// <see cref="Invoices"/>.
/// </summary>
internal partial class SessionRecord
{
    private readonly Lock _lookupLock = new();
    private volatile InvoiceSummary? _summary;
    private Dictionary<string, InvoiceRecord>? _byReference;
    private int _referencesIndexed;
    private Dictionary<string, InvoiceRecord>? _byKsefNumber;
    private (int Count, long Version) _ksefNumbersIndexed;

    /// <summary>How many invoices have status 200 (what a scan counting <c>Status == 200</c> gives).</summary>
    public int SuccessfulInvoiceCount => Summary().Successful;

    /// <summary>How many invoices have a failure status (what a scan counting <see cref="InvoiceRecord.IsFailed"/> gives).</summary>
    public int FailedInvoiceCount => Summary().FailedPositions.Length;

    /// <summary>
    /// Up to <paramref name="count"/> failed invoices after skipping <paramref name="offset"/> of them, in ordinal order:
    /// <c>Invoices.Where(i => i.IsFailed).Skip(offset).Take(count)</c> without walking the skipped part.
    /// </summary>
    public IReadOnlyList<InvoiceRecord> FailedInvoices(int offset, int count)
    {
        var positions = Summary().FailedPositions;
        offset = Math.Max(0, offset);
        if (count <= 0 || offset >= positions.Length) return [];
        var page = new InvoiceRecord[Math.Min(count, positions.Length - offset)];
        for (var i = 0; i < page.Length; i++) page[i] = Invoices[positions[offset + i]];
        return page;
    }

    /// <summary>The first invoice with that reference number, or null.</summary>
    public InvoiceRecord? FindInvoice(string referenceNumber)
    {
        lock (_lookupLock)
        {
            // Reference numbers never change and invoices are only appended: index the new ones, if any.
            _byReference ??= new Dictionary<string, InvoiceRecord>(Invoices.Count, StringComparer.Ordinal);
            for (; _referencesIndexed < Invoices.Count; _referencesIndexed++)
            {
                var invoice = Invoices[_referencesIndexed];
                _byReference.TryAdd(invoice.ReferenceNumber, invoice);
            }
            return _byReference.GetValueOrDefault(referenceNumber);
        }
    }

    /// <summary>The first invoice with that KSeF number, or null.</summary>
    public InvoiceRecord? FindInvoiceByKsefNumber(string ksefNumber)
    {
        lock (_lookupLock)
        {
            var current = (Invoices.Count, InvoiceRecord.ChangeVersion);
            if (_byKsefNumber is null || _ksefNumbersIndexed != current)
            {
                _byKsefNumber = new Dictionary<string, InvoiceRecord>(SuccessfulInvoiceCount, StringComparer.Ordinal);
                foreach (var invoice in Invoices)
                {
                    if (invoice.KsefNumber is { } number) _byKsefNumber.TryAdd(number, invoice);
                }
                _ksefNumbersIndexed = current;
            }
            return _byKsefNumber.GetValueOrDefault(ksefNumber);
        }
    }

    private InvoiceSummary Summary()
    {
        var summary = _summary;
        var version = InvoiceRecord.ChangeVersion;
        if (summary is not null && summary.Count == Invoices.Count && summary.Version == version) return summary;

        // Read the version before scanning: a change during the scan leaves the result stale and is caught next time.
        var successful = 0;
        var failed = new List<int>();
        var invoices = Invoices;
        var count = invoices.Count;
        for (var i = 0; i < count; i++)
        {
            var invoice = invoices[i];
            if (invoice.Status == 200) successful++;
            if (invoice.IsFailed) failed.Add(i);
        }
        summary = new InvoiceSummary(count, version, successful, [.. failed]);
        _summary = summary;
        return summary;
    }

    private sealed record InvoiceSummary(int Count, long Version, int Successful, int[] FailedPositions);
}
