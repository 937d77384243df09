namespace KsefGen.Runtime.Status;

/// <summary>What a status is about.</summary>
public enum KsefStatusSubject
{
    /// <summary>The status of one invoice sent in a session (<c>SessionInvoiceStatusResponse.status</c>).</summary>
    Invoice = 1,

    /// <summary>The status of a session (<c>SessionStatusResponse.status</c>).</summary>
    Session,

    /// <summary>An authentication operation (<c>GET /auth/{referenceNumber}</c>).</summary>
    Authentication,
}

/// <summary>The next step an integrator should take for a status.</summary>
public enum KsefStatusAction
{
    /// <summary>Processing goes on: poll the same invoice or session again later; never send it again.</summary>
    KeepWaiting = 1,

    /// <summary>Session only: the session is open; send the invoices (or upload the batch parts) and close it.</summary>
    ContinueSession,

    /// <summary>Accepted: store the KSeF number (invoice) and download the UPO (invoice or session UPO).</summary>
    StoreResultAndDownloadUpo,

    /// <summary>Invoice only: the invoice is a duplicate of one already in KSeF; look up the original (see <see cref="KsefStatusAdvice.Duplicate"/>) and use its KSeF number.</summary>
    FindOriginal,

    /// <summary>Invoice only: the authenticated subject lacks the permission for this invoice; check the permissions and the context (NIP) the session was opened in.</summary>
    CheckPermissions,

    /// <summary>The document (or how it was encrypted or packed) is wrong; fix it and send the corrected version; the unchanged one will fail again.</summary>
    FixAndResubmit,

    /// <summary>Nothing was accepted because the session failed; fix the session-level cause and send the same invoices in a new session.</summary>
    ResubmitInNewSession,

    /// <summary>The outcome is unknown; establish what happened (list the session's invoices, query by hash) before sending anything again.</summary>
    EstablishStateBeforeRetry,

    /// <summary>A code this library does not know; investigate by hand and do not resend.</summary>
    Investigate,

    /// <summary>Authentication failed in a way a new attempt may fix (fresh challenge, valid token or certificate).</summary>
    AuthenticateAgain,

    /// <summary>Authentication was refused for a reason only a person can resolve (blocked context, deceased subject).</summary>
    ContactSupport,
}

/// <summary>The original invoice named by a duplicate (invoice status 440).</summary>
/// <param name="OriginalKsefNumber">The KSeF number of the invoice already in KSeF, when the server said it.</param>
/// <param name="OriginalSessionReferenceNumber">The session the original was sent in, when the server said it.</param>
public sealed record DuplicateInvoiceReference(string? OriginalKsefNumber, string? OriginalSessionReferenceNumber);

/// <summary>The advice for one status code.</summary>
public sealed record KsefStatusAdvice
{
    /// <summary>Invoice or session.</summary>
    public required KsefStatusSubject Subject { get; init; }

    /// <summary>The status code as received.</summary>
    public required int Code { get; init; }

    /// <summary>The next step.</summary>
    public required KsefStatusAction Action { get; init; }

    /// <summary>What the code means, in English (a gloss of the official description).</summary>
    public required string Meaning { get; init; }

    /// <summary>What to do and why, in English.</summary>
    public required string Explanation { get; init; }

    /// <summary>True when the code is in the official table for this subject.</summary>
    public required bool IsKnownCode { get; init; }

    /// <summary>True when the status will not change any more; false while processing goes on (100, 150, 170).</summary>
    public required bool IsTerminal { get; init; }

    /// <summary>True for the success code (200).</summary>
    public required bool IsSuccess { get; init; }

    /// <summary>
    /// True when the same, unchanged invoice content may be sent again once <see cref="Action"/> is done
    /// (for example in a new session after a session error). False while waiting, after success, for duplicates,
    /// for documents that must be fixed, and for unknown codes.
    /// </summary>
    public required bool MayResendUnchanged { get; init; }

    /// <summary>Invoice status 440 only: the original invoice, as far as the server named it; null otherwise.</summary>
    public DuplicateInvoiceReference? Duplicate { get; init; }

    /// <summary>The action, code and meaning in one line.</summary>
    public override string ToString() => $"{Subject} {Code} ({Meaning}): {Action}";
}
