namespace KsefGen.Sandbox.State;

/// <summary>A taxpayer context the sandbox knows.</summary>
internal sealed record SandboxContext(string Nip, string Name);

/// <summary>A session as the sandbox stores it. Status fields change; the rest is fixed at creation.</summary>
internal partial class SessionRecord
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

    private readonly Lock _gate = new();
    private InvoiceSnapshot _invoices = InvoiceSnapshot.Empty;

    /// <summary>
    /// The invoices, in ordinal order: a snapshot that later additions do not disturb, so a page can be read while
    /// another request sends an invoice into the same session.
    /// </summary>
    public IReadOnlyList<InvoiceRecord> Invoices => Volatile.Read(ref _invoices).View;

    /// <summary>The invoice with that ordinal number (1-based), or null.</summary>
    public InvoiceRecord? InvoiceAt(int ordinalNumber)
    {
        var invoices = Invoices;
        return ordinalNumber >= 1 && ordinalNumber <= invoices.Count && invoices[ordinalNumber - 1].OrdinalNumber == ordinalNumber ? invoices[ordinalNumber - 1] : null;
    }

    /// <summary>Appends an invoice (ordinal order); readers holding an older snapshot keep seeing the old count.</summary>
    public void AddInvoice(InvoiceRecord invoice) => AddInvoice(_ => invoice, int.MaxValue);

    /// <summary>
    /// Appends an invoice made for the next ordinal number, atomically with respect to other additions; null when the
    /// session holds <paramref name="limit"/> invoices already.
    /// </summary>
    public InvoiceRecord? AddInvoice(Func<int, InvoiceRecord> create, int limit)
    {
        lock (_gate)
        {
            var current = _invoices;
            if (current.Count >= limit) return null;
            var invoice = create(current.Count + 1);
            var items = current.Items;
            if (current.Count == items.Length) Array.Resize(ref items, Math.Max(4, items.Length * 2));
            items[current.Count] = invoice;
            Volatile.Write(ref _invoices, new InvoiceSnapshot(items, current.Count + 1));
            return invoice;
        }
    }

    /// <summary>When the last piece of work scheduled for this session's invoices finishes.</summary>
    public DateTimeOffset ProcessingUntil { get; set; }

    /// <summary>How the session was authenticated: a KSeF token's reference number, when it was a token.</summary>
    public string? KsefTokenReference { get; set; }

    /// <summary>How the session was authenticated: Base64 SHA-256 of the signed XAdES document, when it was a signature.</summary>
    public string? AuthenticationDigest { get; set; }

    /// <summary>The UPO schema version this session's UPOs are written in ("v4-3" unless opened with X-KSeF-Feature: upo-v4-2).</summary>
    public string UpoVersion { get; set; } = "v4-3";

    /// <summary>The form code the session was opened for (system code, e.g. "FA (3)").</summary>
    public string FormSystemCode { get; set; } = "FA (3)";

    /// <summary>The schema version of the form code (e.g. "1-0E").</summary>
    public string FormSchemaVersion { get; set; } = "1-0E";

    /// <summary>The AES-256 key of a session opened through the API (null when its decryption failed, or for seeded sessions).</summary>
    public byte[]? SymmetricKey { get; set; }

    /// <summary>The AES initialization vector of the session.</summary>
    public byte[]? InitializationVector { get; set; }

    /// <summary>Batch sessions: the package the client declared, and the parts uploaded so far.</summary>
    public BatchPackage? Package { get; set; }

    /// <summary>A status a control call forced for this session's next transition.</summary>
    public (int Code, string? Detail)? ForcedNext { get; set; }

    private sealed class InvoiceSnapshot(InvoiceRecord[] items, int count)
    {
        public static readonly InvoiceSnapshot Empty = new([], 0);

        public InvoiceRecord[] Items { get; } = items;

        public int Count { get; } = count;

        public IReadOnlyList<InvoiceRecord> View { get; } = new ArraySegment<InvoiceRecord>(items, 0, count);
    }

    /// <summary>Who opened the session (null for seeded ones, which belong to the context's owner).</summary>
    public SubjectIdentifier? OpenedBy { get; init; }

    /// <summary>The end of the session's validity (online: 12 h from opening).</summary>
    public DateTimeOffset? ValidUntil { get; set; }
}

/// <summary>An invoice sent in a session.</summary>
internal sealed class InvoiceRecord
{
    /// <summary>Creates an invoice record.</summary>
    public InvoiceRecord(int ordinalNumber, string referenceNumber, string? invoiceNumber, byte[] hash, DateTimeOffset invoicingDate)
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

    /// <summary>The seller's invoice number (P_2); null when the document could not be read.</summary>
    public string? InvoiceNumber { get; }

    /// <summary>The seller's NIP as the document states it (the context for seeded invoices).</summary>
    public string? SellerNip { get; set; }

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

    /// <summary>A status a control call forced for this invoice's next transition.</summary>
    public (int Code, string? Detail)? ForcedNext { get; set; }

    /// <summary>
    /// The plain XML and its facts, for an invoice accepted through the API. Null for seeded invoices: their document is
    /// generated from the record on demand (<see cref="Processing.SeededInvoices"/>), so a million of them cost no XML.
    /// </summary>
    public Processing.InvoiceDocument? Document { get; set; }

    /// <summary>Whether the invoice status is a failure (the /invoices/failed list).</summary>
    public bool IsFailed => Status >= 300;
}

/// <summary>The package a batch session declared at opening, and the encrypted parts uploaded so far.</summary>
internal sealed class BatchPackage(long fileSize, byte[] fileHash, bool tarGz, IReadOnlyList<(int Ordinal, long Size, byte[] Hash)> parts, bool offline)
{
    /// <summary>Size of the whole unencrypted package.</summary>
    public long FileSize { get; } = fileSize;

    /// <summary>SHA-256 of the whole unencrypted package.</summary>
    public byte[] FileHash { get; } = fileHash;

    /// <summary>TarGz instead of Zip.</summary>
    public bool TarGz { get; } = tarGz;

    /// <summary>The declared parts (encrypted size and hash).</summary>
    public IReadOnlyList<(int Ordinal, long Size, byte[] Hash)> Parts { get; } = parts;

    /// <summary>Whether the invoices are offline-mode invoices.</summary>
    public bool Offline { get; } = offline;

    /// <summary>The uploaded encrypted parts by ordinal number.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> Uploaded { get; } = new();
}

/// <summary>An authentication operation (…-AU-…): started by /auth/ksef-token or /auth/xades-signature.</summary>
internal sealed class AuthOperationRecord(string referenceNumber, string contextNip, string method, DateTimeOffset started)
{
    /// <summary>The operation's reference number.</summary>
    public string ReferenceNumber { get; } = referenceNumber;

    /// <summary>The context the client asked for.</summary>
    public string ContextNip { get; } = contextNip;

    /// <summary>"Token" or "QualifiedSignature".</summary>
    public string Method { get; } = method;

    /// <summary>When the operation started.</summary>
    public DateTimeOffset Started { get; } = started;

    /// <summary>The authentication status code (100, 200, 415, 450 ...).</summary>
    public int Status { get; set; } = 100;

    /// <summary>The detail of a failure.</summary>
    public string? StatusDetail { get; set; }

    /// <summary>Whether the tokens were redeemed (they can be redeemed once).</summary>
    public bool IsTokenRedeemed { get; set; }

    /// <summary>When the access token was last refreshed.</summary>
    public DateTimeOffset? LastTokenRefreshDate { get; set; }

    /// <summary>Until when the refresh token is valid.</summary>
    public DateTimeOffset? RefreshTokenValidUntil { get; set; }

    /// <summary>For token authentication: the KSeF token's reference number (goes into the UPO).</summary>
    public string? KsefTokenReference { get; set; }

    /// <summary>For XAdES authentication: Base64 SHA-256 of the signed document (goes into the UPO).</summary>
    public string? AuthenticationDigest { get; set; }

    /// <summary>Who authenticated (the certificate's identifier, or the KSeF token's author).</summary>
    public SubjectIdentifier? Subject { get; set; }

    /// <summary>The subject's personal details (the access token's "sud" claim).</summary>
    public SubjectDetails? SubjectDetails { get; set; }

    /// <summary>What the tokens of this authentication allow in the context (decided when it succeeds).</summary>
    public IReadOnlyList<string> Permissions { get; set; } = [];

    /// <summary>True once the authentication session was revoked (status 425): its access and refresh tokens stop working.</summary>
    public bool Revoked => Status == 425;
}
