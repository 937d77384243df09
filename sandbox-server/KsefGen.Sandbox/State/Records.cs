namespace KsefGen.Sandbox.State;

/// <summary>A taxpayer context the sandbox knows.</summary>
public sealed record SandboxContext(string Nip, string Name);

/// <summary>A session as the sandbox stores it. Status fields change; the rest is fixed at creation.</summary>
public sealed partial class SessionRecord
{
    /// <summary>Creates a session record.</summary>
    public SessionRecord(string referenceNumber, string contextNip, bool isBatch, DateTimeOffset created)
    {
        ReferenceNumber = referenceNumber;
        ContextNip = contextNip;
        IsBatch = isBatch;
        Created = created;
        Updated = created;
    }

    /// <summary>The session reference number (…-SO-… or …-SB-…).</summary>
    public string ReferenceNumber { get; }

    /// <summary>The NIP of the context that owns the session.</summary>
    public string ContextNip { get; }

    /// <summary>Batch (true) or online (false).</summary>
    public bool IsBatch { get; }

    /// <summary>When the session was opened.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>When its status last changed.</summary>
    public DateTimeOffset Updated { get; set; }

    /// <summary>When it closed (reached 170/150 or a final code), if it has.</summary>
    public DateTimeOffset? Closed { get; set; }

    /// <summary>The session status code.</summary>
    public int Status { get; set; } = 100;

    /// <summary>The details of the status, when the table documents several.</summary>
    public string? StatusDetail { get; set; }

    /// <summary>The invoices, in ordinal order.</summary>
    public List<InvoiceRecord> Invoices { get; } = [];

    /// <summary>The end of the session's validity (online: 12 h from opening).</summary>
    public DateTimeOffset? ValidUntil { get; set; }
}

/// <summary>An invoice sent in a session.</summary>
public sealed class InvoiceRecord
{
    /// <summary>Creates an invoice record.</summary>
    public InvoiceRecord(int ordinalNumber, string referenceNumber, string invoiceNumber, byte[] hash, DateTimeOffset invoicingDate)
    {
        OrdinalNumber = ordinalNumber;
        ReferenceNumber = referenceNumber;
        InvoiceNumber = invoiceNumber;
        Hash = hash;
        InvoicingDate = invoicingDate;
    }

    /// <summary>1-based position in the session.</summary>
    public int OrdinalNumber { get; }

    /// <summary>The invoice reference number (…-EE-…).</summary>
    public string ReferenceNumber { get; }

    /// <summary>The seller's invoice number (P_2).</summary>
    public string InvoiceNumber { get; }

    /// <summary>SHA-256 of the invoice XML.</summary>
    public byte[] Hash { get; }

    /// <summary>When KSeF accepted the invoice.</summary>
    public DateTimeOffset InvoicingDate { get; }

    /// <summary>
    /// Counts changes to any invoice's <see cref="Status"/> or <see cref="KsefNumber"/> in the process, so that derived
    /// views (counters, failed list, KSeF-number index) know when to recompute.
    /// </summary>
    public static long ChangeVersion => Interlocked.Read(ref s_changeVersion);

    private static long s_changeVersion;

    /// <summary>The invoice status code.</summary>
    public int Status
    {
        get;
        set
        {
            field = value;
            Interlocked.Increment(ref s_changeVersion);
        }
    } = 100;

    /// <summary>The details of a failure status.</summary>
    public string? StatusDetail { get; set; }

    /// <summary>The KSeF number, once assigned (status 200).</summary>
    public string? KsefNumber
    {
        get;
        set
        {
            field = value;
            Interlocked.Increment(ref s_changeVersion);
        }
    }

    /// <summary>When the KSeF number was assigned.</summary>
    public DateTimeOffset? AcquisitionDate { get; set; }

    /// <summary>When the invoice reached permanent storage.</summary>
    public DateTimeOffset? PermanentStorageDate { get; set; }

    /// <summary>The file name inside the batch package (batch sessions only).</summary>
    public string? FileName { get; set; }

    /// <summary>Offline mode (true) or online.</summary>
    public bool Offline { get; set; }

    /// <summary>For 440 duplicates: the session of the original invoice.</summary>
    public string? OriginalSessionReferenceNumber { get; set; }

    /// <summary>For 440 duplicates: the KSeF number of the original invoice.</summary>
    public string? OriginalKsefNumber { get; set; }

    /// <summary>Whether the invoice status is a failure (the /invoices/failed list).</summary>
    public bool IsFailed => Status >= 300;
}
