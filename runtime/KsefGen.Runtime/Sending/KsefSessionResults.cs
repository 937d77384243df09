using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;

namespace KsefGen.Runtime.Sending;

/// <summary>Options for one invoice in an online session.</summary>
public sealed class KsefInvoiceSendOptions
{
    /// <summary>The invoice was issued in offline mode (<c>offlineMode</c>); KSeF also decides this itself from P_1.</summary>
    public bool OfflineMode { get; init; }

    /// <summary>
    /// A technical correction: the exact bytes of the invoice it corrects (an offline invoice KSeF rejected). The
    /// SHA-256 is computed for you and sent as <c>hashOfCorrectedInvoice</c>.
    /// </summary>
    public ReadOnlyMemory<byte>? CorrectedInvoice { get; init; }

    /// <summary>Or the corrected invoice's SHA-256, when its bytes are no longer at hand.</summary>
    public byte[]? CorrectedInvoiceHash { get; init; }
}

/// <summary>An invoice KSeF took into an online session (202): processing goes on asynchronously.</summary>
/// <param name="ReferenceNumber">The invoice's reference number in the session (<c>...-EE-...</c>).</param>
/// <param name="InvoiceHash">SHA-256 of the invoice as sent, to find it again (the docs recommend keeping hash → source).</param>
/// <param name="InvoiceSize">Its size in bytes.</param>
public sealed record KsefSentInvoice(string ReferenceNumber, byte[] InvoiceHash, long InvoiceSize);

/// <summary>An invoice's status in a session, as KSeF reports it.</summary>
public sealed record KsefInvoiceResult
{
    /// <summary>The session the invoice was sent in.</summary>
    public required string SessionReferenceNumber { get; init; }

    /// <summary>The invoice's reference number.</summary>
    public required string ReferenceNumber { get; init; }

    /// <summary>Its position in the session (1-based), when given.</summary>
    public int? OrdinalNumber { get; init; }

    /// <summary>The invoice number (P_2), once read.</summary>
    public string? InvoiceNumber { get; init; }

    /// <summary>The KSeF number, once accepted (200).</summary>
    public string? KsefNumber { get; init; }

    /// <summary>The file name in a batch package.</summary>
    public string? InvoiceFileName { get; init; }

    /// <summary>SHA-256 of the invoice.</summary>
    public byte[]? InvoiceHash { get; init; }

    /// <summary>When KSeF assigned the KSeF number.</summary>
    public DateTimeOffset? AcquisitionDate { get; init; }

    /// <summary>When KSeF received the invoice (<c>invoicingDate</c>).</summary>
    public DateTimeOffset? InvoicingDate { get; init; }

    /// <summary>Online or Offline, as KSeF decided.</summary>
    public string? InvoicingMode { get; init; }

    /// <summary>The status code (100, 150, 200, 4xx, 5xx).</summary>
    public required int Code { get; init; }

    /// <summary>The status description as KSeF sent it.</summary>
    public string? Description { get; init; }

    /// <summary>The status details.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The status extensions (a duplicate names its original here).</summary>
    public IReadOnlyDictionary<string, string?>? Extensions { get; init; }

    /// <summary>The pre-signed UPO link, when the invoice is accepted; it expires (renew it through the status).</summary>
    public UpoLink? Upo { get; init; }

    /// <summary>What the code means and what to do.</summary>
    public KsefStatusAdvice Advice => KsefStatusAdvisor.ForInvoice(Code, Extensions, Details);
}

/// <summary>A page of a session's collective UPO.</summary>
/// <param name="ReferenceNumber">The UPO page's reference number.</param>
/// <param name="Link">Its pre-signed link.</param>
public sealed record KsefSessionUpoPage(string ReferenceNumber, UpoLink Link);

/// <summary>A processed session: its final status, its invoices and its UPO pages.</summary>
public sealed record KsefSessionResult
{
    /// <summary>The session's reference number.</summary>
    public required string ReferenceNumber { get; init; }

    /// <summary>The session status code.</summary>
    public required int Code { get; init; }

    /// <summary>The session status description as KSeF sent it.</summary>
    public string? Description { get; init; }

    /// <summary>The session status details.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>How many invoices KSeF counted (null when it had nothing to count).</summary>
    public int? InvoiceCount { get; init; }

    /// <summary>How many were accepted.</summary>
    public int? SuccessfulInvoiceCount { get; init; }

    /// <summary>How many were rejected.</summary>
    public int? FailedInvoiceCount { get; init; }

    /// <summary>Every invoice of the session with its final status.</summary>
    public IReadOnlyList<KsefInvoiceResult> Invoices { get; init; } = [];

    /// <summary>The session UPO pages.</summary>
    public IReadOnlyList<KsefSessionUpoPage> UpoPages { get; init; } = [];

    /// <summary>What the session code means and what to do.</summary>
    public KsefStatusAdvice Advice => KsefStatusAdvisor.ForSession(Code);
}

/// <summary>A batch invoice: its file name in the package and a way to read it (opened once, when packed).</summary>
/// <param name="FileName">The file name inside the package (KSeF reports it back as <c>invoiceFileName</c>).</param>
/// <param name="Open">Opens the invoice XML for reading; the stream is disposed after use.</param>
public sealed record KsefInvoiceFile(string FileName, Func<Stream> Open)
{
    /// <summary>An invoice held in memory.</summary>
    /// <param name="fileName">The file name in the package.</param>
    /// <param name="xml">The invoice XML.</param>
    /// <returns>The file.</returns>
    public static KsefInvoiceFile FromBytes(string fileName, ReadOnlyMemory<byte> xml) =>
        new(fileName, () => new MemoryStream(xml.ToArray(), writable: false));

    /// <summary>An invoice on disk (read when packed, never held whole).</summary>
    /// <param name="path">The file path; the package uses its file name.</param>
    /// <returns>The file.</returns>
    public static KsefInvoiceFile FromFile(string path) => new(Path.GetFileName(path), () => File.OpenRead(path));
}

/// <summary>The package format of a batch session (<c>compressionType</c>).</summary>
public enum KsefBatchCompression
{
    /// <summary>A ZIP archive (the default).</summary>
    Zip,

    /// <summary>A gzip-compressed tar archive (KSeF 2.6.0 and later).</summary>
    TarGz,
}

/// <summary>Settings of one batch send.</summary>
public sealed class KsefBatchOptions
{
    /// <summary>ZIP (default) or tar.gz.</summary>
    public KsefBatchCompression Compression { get; init; } = KsefBatchCompression.Zip;

    /// <summary>The largest part before encryption (KSeF allows 100 MB; smaller parts upload and retry faster).</summary>
    public long MaxPartSize { get; init; } = 100_000_000;

    /// <summary>The invoices were issued in offline mode.</summary>
    public bool OfflineMode { get; init; }

    /// <summary>How often a failed part upload is tried in all (default 3).</summary>
    public int PartUploadAttempts { get; init; } = 3;

    /// <summary>Where the package and its encrypted parts are staged (the system temp folder when null).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Told after each part is uploaded.</summary>
    public IProgress<KsefBatchProgress>? Progress { get; init; }
}

/// <summary>Batch upload progress.</summary>
/// <param name="PartsUploaded">Parts uploaded so far.</param>
/// <param name="PartCount">Parts in all.</param>
/// <param name="BytesUploaded">Encrypted bytes uploaded so far.</param>
public sealed record KsefBatchProgress(int PartsUploaded, int PartCount, long BytesUploaded);

/// <summary>A batch session that is uploaded and closed; KSeF processes it from here.</summary>
/// <param name="ReferenceNumber">The session's reference number (<c>...-SB-...</c>).</param>
/// <param name="PartCount">How many parts were uploaded.</param>
/// <param name="PackageSize">The package size before encryption.</param>
/// <param name="InvoiceHashes">The SHA-256 of each invoice by file name, to correlate results.</param>
public sealed record KsefBatchSubmission(string ReferenceNumber, int PartCount, long PackageSize, IReadOnlyDictionary<string, byte[]> InvoiceHashes);
