namespace KsefGen.Runtime.Api;

/// <summary>What a KSeF exception code means and what to do about it.</summary>
/// <param name="Code">The code (<c>exceptionCode</c> in the legacy shape, <c>code</c> in problem details).</param>
/// <param name="Meaning">The documented meaning, in English.</param>
/// <param name="Advice">What the caller should do.</param>
/// <param name="IsKnown">False when the code is not in the documented tables.</param>
public sealed record KsefErrorCodeInfo(int Code, string Meaning, string Advice, bool IsKnown);

/// <summary>
/// The documented KSeF exception codes of the authentication, sending and session operations (the 400 tables of the
/// official spec and the docs), with their meaning and advice. An unknown code gets a generic entry, never an error.
/// </summary>
public static class KsefErrorCodes
{
    private static readonly Dictionary<int, (string Meaning, string Advice)> Table = new()
    {
        [9101] = ("Invalid document.", "The signed authentication request is not a well-formed XAdES document; rebuild and sign it again."),
        [9102] = ("No signature.", "Sign the authentication request (enveloped XAdES) before sending it."),
        [9103] = ("Too many signatures.", "Send the authentication request with exactly one signature."),
        [9105] = ("Invalid signature.", "The signature does not verify: check the key matches the certificate in KeyInfo and that the document was not changed after signing."),
        [21001] = ("Unreadable content.", "The body could not be read as XML; send UTF-8 XML."),
        [21111] = ("Invalid authorisation challenge.", "The challenge is unknown, used or older than 10 minutes: request a new one and authenticate again."),
        [21115] = ("Invalid certificate.", "The certificate is expired, not yet valid, revoked or not trusted for this environment."),
        [21117] = ("Invalid subject identifier for the context type.", "Check the context identifier type and value (a NIP has 10 digits with a valid checksum)."),
        [21155] = ("Too many invoices in the session.", "The session reached its invoice limit: close it and send the rest in a new session."),
        [21157] = ("Invalid package part size.", "A declared part size differs from the uploaded one: rebuild the package and open a new batch session."),
        [21161] = ("Too many package parts.", "Split the package into at most 50 parts (each up to 100 MB before encryption)."),
        [21166] = ("Technical correction not available.", "Only an invoice rejected in offline mode can be technically corrected."),
        [21167] = ("Invoice status does not allow a technical correction.", "Check the corrected invoice's status; it must have been rejected."),
        [21173] = ("No session with the given reference number.", "Check the session reference number and the context you are authenticated in."),
        [21178] = ("No UPO for the given criteria.", "The UPO is not ready yet or the numbers do not match: check the invoice status first."),
        [21180] = ("Session status does not allow the operation.", "The session is closed, expired or being processed: open a new session to send more invoices."),
        [21205] = ("The package may not be empty.", "A declared part was not uploaded before close: upload every part, then close."),
        [21208] = ("Upload or close waited too long.", "The batch session was cancelled: open a new session and upload the parts again."),
        [21217] = ("Invalid character encoding.", "Send the document in UTF-8."),
        [21301] = ("Not authorised.", "The tokens were already redeemed, the authentication did not succeed, or the KSeF token was revoked: authenticate again."),
        [21304] = ("Not authenticated.", "The authentication operation was not found: start the authentication again."),
        [21308] = ("Authorisation methods of a deceased person.", "The subject is registered as deceased; authenticate as another subject."),
        [21401] = ("Document does not conform to the schema (XSD).", "Validate the XML against the official schema before sending."),
        [21402] = ("Invalid file size.", "The declared size differs from the content: compute sizes from the exact bytes sent."),
        [21403] = ("Invalid file hash.", "The declared SHA-256 differs from the content: compute hashes from the exact bytes sent."),
        [21405] = ("Input validation error.", "The request does not match the API contract; the details name the field."),
        [21406] = ("Signature conflicts with the authentication type.", "Use a certificate that matches the subject identifier type you declared."),
        [21418] = ("Invalid continuation token.", "Start the listing again without a continuation token."),
        [21470] = ("Unknown or withdrawn public key.", "Fetch the current public key certificates from /security/public-key-certificates and encrypt again."),
    };

    /// <summary>The meaning and advice for a code.</summary>
    /// <param name="code">The KSeF exception code.</param>
    /// <returns>The documented entry, or a generic one for an unknown code.</returns>
    public static KsefErrorCodeInfo Describe(int code) => Table.TryGetValue(code, out var entry)
        ? new KsefErrorCodeInfo(code, entry.Meaning, entry.Advice, true)
        : new KsefErrorCodeInfo(code, "Undocumented KSeF error code.", "Read the description and details; quote the trace id when asking the Ministry for help.", false);

    /// <summary>Every documented code.</summary>
    public static IReadOnlyCollection<int> Known => Table.Keys;
}
