using System.Text.RegularExpressions;

namespace KsefGen.Runtime.Status;

/// <summary>
/// The decision table for KSeF invoice and session status codes (the tables in the descriptions of
/// <c>SessionInvoiceStatusResponse.status</c> and <c>SessionStatusResponse.status</c>): for a code, what it means,
/// whether it is final, and what to do next. Works on plain <see cref="int"/> codes so any client model can use it.
/// </summary>
public static partial class KsefStatusAdvisor
{
    /// <summary>The extension key of a duplicate's original KSeF number (invoice status 440).</summary>
    public const string OriginalKsefNumberKey = "originalKsefNumber";

    /// <summary>The extension key of a duplicate's original session reference number (invoice status 440).</summary>
    public const string OriginalSessionReferenceNumberKey = "originalSessionReferenceNumber";

    /// <summary>The invoice codes in the official table.</summary>
    public static IReadOnlyList<int> KnownInvoiceCodes { get; } = [100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550];

    /// <summary>The session codes in the official tables (batch and online together).</summary>
    public static IReadOnlyList<int> KnownSessionCodes { get; } = [100, 150, 170, 200, 405, 415, 420, 430, 435, 440, 445, 500];

    /// <summary>Advice for an invoice status.</summary>
    /// <param name="code"><c>status.code</c> of a <c>SessionInvoiceStatusResponse</c>.</param>
    /// <param name="extensions"><c>status.extensions</c>, if any (for 440 it names the original invoice).</param>
    /// <param name="details"><c>status.details</c>, if any; for 440 without extensions the original is looked for in them.</param>
    public static KsefStatusAdvice ForInvoice(int code, IReadOnlyDictionary<string, string?>? extensions = null, IEnumerable<string>? details = null)
    {
        const KsefStatusSubject s = KsefStatusSubject.Invoice;
        return code switch
        {
            100 => Waiting(s, code, "accepted for further processing",
                "KSeF has the invoice and will process it. Poll the same invoice status again; do not send the invoice again, that would only produce a duplicate."),
            150 => Waiting(s, code, "processing",
                "KSeF is processing the invoice. Poll the same invoice status again; do not send the invoice again."),
            200 => Advice(s, code, KsefStatusAction.StoreResultAndDownloadUpo, "success: KSeF number assigned",
                "The invoice is in KSeF. Store its KSeF number with the invoice and download its UPO (the official receipt); verify and archive the UPO.",
                terminal: true, success: true, resend: false),
            405 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "processing cancelled because of a session error",
                "The invoice was not processed because its session failed; it has no KSeF number. Check the session status for the cause, fix it, and send the same invoice in a new session.",
                terminal: true, success: false, resend: true),
            410 => Advice(s, code, KsefStatusAction.CheckPermissions, "invalid permission scope",
                "The authenticated subject may not send this invoice in this context (for example the seller NIP is not the context, or the permission is missing). Check the permissions and the context the session was opened in; the document itself can then be sent unchanged in a session with the right context.",
                terminal: true, success: false, resend: true),
            415 => Advice(s, code, KsefStatusAction.FixAndResubmit, "sending invoices with attachments is not allowed",
                "The invoice carries an attachment this context may not send. Remove the attachment, or (if the taxpayer has enabled attachments) send it in a batch session; sending it unchanged the same way fails again.",
                terminal: true, success: false, resend: false),
            430 => Advice(s, code, KsefStatusAction.FixAndResubmit, "invoice file verification error",
                "The invoice XML failed verification (schema or structure). Read status.details, fix the document and send the corrected version; do not resend it unchanged.",
                terminal: true, success: false, resend: false),
            435 => Advice(s, code, KsefStatusAction.FixAndResubmit, "file decryption error",
                "KSeF could not decrypt the invoice. Fix the encryption (AES-256-CBC with the session key and IV, PKCS#7 padding, hashes and sizes of the encrypted content) and send it again; do not resend the same payload.",
                terminal: true, success: false, resend: false),
            440 => Duplicate(code, extensions, details),
            450 => Advice(s, code, KsefStatusAction.FixAndResubmit, "semantic validation error of the invoice document",
                "The invoice broke a business rule. Read status.details, fix the document and send the corrected version; do not resend it unchanged.",
                terminal: true, success: false, resend: false),
            500 => Advice(s, code, KsefStatusAction.EstablishStateBeforeRetry, "unknown error",
                "KSeF failed in an unknown way. Before retrying, establish the state: check whether the invoice got a KSeF number after all (list the session's invoices or query invoice metadata by its hash). Send it again only if it is not in KSeF; a resend of an accepted invoice ends as duplicate 440.",
                terminal: true, success: false, resend: true),
            550 => Advice(s, code, KsefStatusAction.EstablishStateBeforeRetry, "operation cancelled by the system",
                "KSeF stopped processing for internal reasons and asks for a retry. First make sure the invoice is not in KSeF (list the session's invoices or query by hash), then send it again.",
                terminal: true, success: false, resend: true),
            _ => Unknown(s, code),
        };
    }

    /// <summary>Advice for a session status (online or batch).</summary>
    /// <param name="code"><c>status.code</c> of a <c>SessionStatusResponse</c>.</param>
    public static KsefStatusAdvice ForSession(int code)
    {
        const KsefStatusSubject s = KsefStatusSubject.Session;
        return code switch
        {
            100 => Advice(s, code, KsefStatusAction.ContinueSession, "session open (batch: started)",
                "The session is open. Send the invoices (batch: upload every declared part) and close the session; an online session closes by itself after 12 hours. If you have already closed it, keep polling.",
                terminal: false, success: false, resend: false),
            150 => Waiting(s, code, "processing (batch session after close)",
                "The batch session is being processed. Poll the same session again; do not send the package again."),
            170 => Waiting(s, code, "online session closed, being processed",
                "The online session is closed and its UPO is being prepared. Poll the same session again; do not send its invoices again."),
            200 => Advice(s, code, KsefStatusAction.StoreResultAndDownloadUpo, "processed successfully",
                "The session is processed and at least one invoice was accepted. Download the session UPO pages (upo.pages; if upo is still missing, poll again), and check each invoice's status: some may still have been rejected (failedInvoiceCount).",
                terminal: true, success: true, resend: false),
            405 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "verification of the package parts failed",
                "The uploaded batch parts did not match what was declared (sizes, hashes, count). No invoice was accepted. Rebuild and upload the package correctly in a new batch session; the invoices themselves may stay as they are.",
                terminal: true, success: false, resend: true),
            415 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "the supplied key could not be decrypted",
                "KSeF could not decrypt the session's AES key. Encrypt a new key with the current Ministry public key for symmetric-key encryption (RSA-OAEP SHA-256) and send the invoices in a new session; no invoice was accepted in this one.",
                terminal: true, success: false, resend: true),
            420 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "invoice limit per session exceeded",
                "The session held more invoices than allowed (10,000). Split them over several new sessions; no invoice was accepted in this one.",
                terminal: true, success: false, resend: true),
            430 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "the package archive could not be decompressed",
                "The batch archive (ZIP or TarGz) is broken. Build it again and send it in a new batch session; no invoice was accepted in this one.",
                terminal: true, success: false, resend: true),
            435 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "the encrypted archive parts could not be decrypted",
                "KSeF could not decrypt the uploaded parts. Fix the part encryption (AES-256-CBC with the declared key and IV) and send the package in a new batch session; no invoice was accepted in this one.",
                terminal: true, success: false, resend: true),
            440 => Advice(s, code, KsefStatusAction.ResubmitInNewSession, "session cancelled",
                "The session was cancelled: no invoices were sent, or the batch upload time ran out. Nothing was accepted; send the invoices (if any) in a new session.",
                terminal: true, success: false, resend: true),
            445 => Advice(s, code, KsefStatusAction.FixAndResubmit, "verification error, no valid invoices",
                "Every invoice in the session was rejected. Read each invoice's status (the failed-invoices list), fix the documents and send the corrected versions; unchanged ones fail again.",
                terminal: true, success: false, resend: false),
            500 => Advice(s, code, KsefStatusAction.EstablishStateBeforeRetry, "unknown error",
                "KSeF failed in an unknown way. Before sending anything again, establish the state: list the session's invoices and their statuses; resend only those that are not in KSeF.",
                terminal: true, success: false, resend: true),
            _ => Unknown(s, code),
        };
    }

    /// <summary>Advice for an authentication status (<c>GET /auth/{referenceNumber}</c>).</summary>
    /// <param name="code"><c>status.code</c> of an <c>AuthenticationOperationStatusResponse</c>.</param>
    public static KsefStatusAdvice ForAuthentication(int code)
    {
        const KsefStatusSubject s = KsefStatusSubject.Authentication;
        return code switch
        {
            100 => Waiting(s, code, "authentication in progress", "KSeF is still checking the credentials. Poll the same operation again with its authentication token."),
            200 => Advice(s, code, KsefStatusAction.ContinueSession, "authenticated",
                "Redeem the tokens (POST /auth/token/redeem, once) and use the access token; refresh it with the refresh token.",
                terminal: true, success: true, resend: false),
            415 => Advice(s, code, KsefStatusAction.CheckPermissions, "no permissions in the context",
                "The subject has no permission in the requested context. Have the context's owner grant one (or authenticate as the owner), then authenticate again.",
                terminal: true, success: false, resend: false),
            425 => Advice(s, code, KsefStatusAction.AuthenticateAgain, "authentication revoked",
                "The authentication and its refresh tokens were revoked (by the user or an administrator). Authenticate again.",
                terminal: true, success: false, resend: false),
            450 => Advice(s, code, KsefStatusAction.AuthenticateAgain, "invalid token",
                "The KSeF token, its timestamp or the challenge was not accepted (wrong, revoked, inactive token, or an encryption with an old challenge). Check the token, take a fresh challenge and authenticate again.",
                terminal: true, success: false, resend: false),
            460 => Advice(s, code, KsefStatusAction.AuthenticateAgain, "certificate error",
                "The signing certificate is invalid, expired, revoked, suspended or not trusted. Sign with a valid certificate and authenticate again.",
                terminal: true, success: false, resend: false),
            470 => Advice(s, code, KsefStatusAction.ContactSupport, "authorisation methods of a deceased person",
                "The subject is registered as deceased; its credentials can no longer be used. Authenticate as another subject.",
                terminal: true, success: false, resend: false),
            480 => Advice(s, code, KsefStatusAction.ContactSupport, "authentication blocked",
                "KSeF blocked authentication in this context on suspicion of a security incident. Contact the Ministry of Finance through its form; retrying will not help.",
                terminal: true, success: false, resend: false),
            500 => Advice(s, code, KsefStatusAction.AuthenticateAgain, "unknown error",
                "KSeF failed in an unknown way. Authenticate again with a fresh challenge.",
                terminal: true, success: false, resend: false),
            550 => Advice(s, code, KsefStatusAction.AuthenticateAgain, "operation cancelled by the system",
                "KSeF cancelled the authentication for internal reasons. Authenticate again with a fresh challenge.",
                terminal: true, success: false, resend: false),
            _ => Unknown(s, code),
        };
    }

    private static KsefStatusAdvice Waiting(KsefStatusSubject subject, int code, string meaning, string explanation) =>
        Advice(subject, code, KsefStatusAction.KeepWaiting, meaning, explanation, terminal: false, success: false, resend: false);

    private static KsefStatusAdvice Unknown(KsefStatusSubject subject, int code) => new()
    {
        Subject = subject,
        Code = code,
        Action = KsefStatusAction.Investigate,
        Meaning = "unknown code",
        Explanation = $"Code {code} is not in the {subject.ToString().ToLowerInvariant()} status table this library knows. Investigate it (status.description and details) by hand; do not resend, the {(subject switch { KsefStatusSubject.Invoice => "invoice", KsefStatusSubject.Session => "session's invoices", _ => "credentials" })} may already be in KSeF.",
        IsKnownCode = false,
        // The official codes below 200 mean "in progress" (early API versions also used 300 for processing), so an
        // unknown code below 400 may still change; 400 and above are failures.
        IsTerminal = code >= 400,
        IsSuccess = false,
        MayResendUnchanged = false,
    };

    private static KsefStatusAdvice Advice(KsefStatusSubject subject, int code, KsefStatusAction action, string meaning, string explanation,
        bool terminal, bool success, bool resend) => new()
    {
        Subject = subject,
        Code = code,
        Action = action,
        Meaning = meaning,
        Explanation = explanation,
        IsKnownCode = true,
        IsTerminal = terminal,
        IsSuccess = success,
        MayResendUnchanged = resend,
    };

    private static KsefStatusAdvice Duplicate(int code, IReadOnlyDictionary<string, string?>? extensions, IEnumerable<string>? details)
    {
        var ksefNumber = Extension(extensions, OriginalKsefNumberKey);
        var session = Extension(extensions, OriginalSessionReferenceNumberKey);
        if ((ksefNumber is null || session is null) && details is not null)
        {
            // Older servers (and free text) name the original only in details: "... numerze KSeF: <number> ... w sesji: <reference>".
            foreach (var line in details)
            {
                if (string.IsNullOrEmpty(line)) continue;
                ksefNumber ??= KsefNumberInText().Match(line) is { Success: true } k ? k.Value : null;
                session ??= ReferenceNumberInText().Match(line) is { Success: true } r ? r.Value : null;
            }
        }
        var original = ksefNumber is null && session is null ? null : new DuplicateInvoiceReference(ksefNumber, session);
        var where = original is null
            ? "The server did not name the original; find it by the invoice's seller NIP, invoice type and number (P_2), the duplicate key."
            : $"The original is {ksefNumber ?? "(KSeF number not given)"} sent in session {session ?? "(not given)"}.";
        return new KsefStatusAdvice
        {
            Subject = KsefStatusSubject.Invoice,
            Code = code,
            Action = KsefStatusAction.FindOriginal,
            Meaning = "duplicate invoice",
            Explanation = "An invoice with the same seller NIP, invoice type and number is already in KSeF (duplicates are kept for 10 years). Do not resend it: "
                + "look up the original, store its KSeF number and fetch its UPO; if this really is a different invoice, give it a new number. " + where,
            IsKnownCode = true,
            IsTerminal = true,
            IsSuccess = false,
            MayResendUnchanged = false,
            Duplicate = original,
        };
    }

    private static string? Extension(IReadOnlyDictionary<string, string?>? extensions, string key)
    {
        if (extensions is null) return null;
        if (extensions.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)) return value.Trim();
        // Tolerate a different casing of the key.
        foreach (var pair in extensions)
        {
            if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(pair.Value)) return pair.Value.Trim();
        }
        return null;
    }

    [GeneratedRegex(@"\b[1-9]\d{9}-\d{8}-[0-9A-F]{6}-?[0-9A-F]{6}-[0-9A-F]{2}\b", RegexOptions.CultureInvariant)]
    private static partial Regex KsefNumberInText();

    [GeneratedRegex(@"\b\d{8}-[0-9A-Z]{2}-[0-9A-F]{10}-[0-9A-F]{10}-[0-9A-F]{2}\b", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceNumberInText();
}
