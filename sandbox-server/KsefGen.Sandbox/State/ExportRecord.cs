namespace KsefGen.Sandbox.State;

/// <summary>One encrypted part of an export package, kept until the package expires.</summary>
/// <param name="OrdinalNumber">1-based.</param>
/// <param name="Name">"{referenceNumber}-{ordinal:000}.zip.aes" (or .tar.gz.aes).</param>
/// <param name="PlainSize">Size before encryption.</param>
/// <param name="PlainHash">SHA-256 before encryption.</param>
/// <param name="Encrypted">AES-256-CBC/PKCS#7 with the client's key and IV.</param>
/// <param name="EncryptedHash">SHA-256 of <paramref name="Encrypted"/>.</param>
internal sealed record ExportPart(int OrdinalNumber, string Name, long PlainSize, byte[] PlainHash, byte[] Encrypted, byte[] EncryptedHash);

/// <summary>The finished package of an export: its parts and the continuation facts (isTruncated, last dates, HWM).</summary>
internal sealed class ExportPackage
{
    /// <summary>How many invoices the package holds.</summary>
    public required long InvoiceCount { get; init; }

    /// <summary>The size of the whole unencrypted package.</summary>
    public required long Size { get; init; }

    /// <summary>The parts; emptied when the package expires.</summary>
    public required IReadOnlyList<ExportPart> Parts { get; set; }

    /// <summary>Whether the limit cut the result short.</summary>
    public required bool IsTruncated { get; init; }

    /// <summary>Issue date of the last invoice (truncated Issue exports only).</summary>
    public DateOnly? LastIssueDate { get; init; }

    /// <summary>Invoicing date of the last invoice (truncated Invoicing exports only).</summary>
    public DateTimeOffset? LastInvoicingDate { get; init; }

    /// <summary>Permanent-storage date of the last invoice (truncated PermanentStorage exports only).</summary>
    public DateTimeOffset? LastPermanentStorageDate { get; init; }

    /// <summary>The HWM that applied (PermanentStorage exports only).</summary>
    public DateTimeOffset? PermanentStorageHwmDate { get; init; }
}

/// <summary>An invoice export (…-EH-…): asked for by POST /invoices/exports, built on the sandbox timeline.</summary>
internal sealed class ExportRecord(string referenceNumber, string contextNip, SubjectIdentifier subject, DateTimeOffset created)
{
    /// <summary>The export's reference number.</summary>
    public string ReferenceNumber { get; } = referenceNumber;

    /// <summary>The context that asked for it (the only one that sees it).</summary>
    public string ContextNip { get; } = contextNip;

    /// <summary>Who asked (KSeF counts running exports per subject in a context).</summary>
    public SubjectIdentifier Subject { get; } = subject;

    /// <summary>When it was asked for.</summary>
    public DateTimeOffset Created { get; } = created;

    /// <summary>100 in progress, 200 done, 210 expired, 415 key not decryptable, 420 range beyond the HWM, 500.</summary>
    public int Status { get; set; } = 100;

    /// <summary>The detail of the status, when the table documents one.</summary>
    public string? StatusDetail { get; set; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? CompletedDate { get; set; }

    /// <summary>Until when the package can be downloaded.</summary>
    public DateTimeOffset? PackageExpirationDate { get; set; }

    /// <summary>The package, once built.</summary>
    public ExportPackage? Package { get; set; }
}
