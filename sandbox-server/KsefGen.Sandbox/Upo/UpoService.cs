using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Upo;

/// <summary>
/// Signed UPO documents (made once, then served byte for byte, so their hash never changes) and the pre-signed,
/// expiring storage links to them. A link is "/storage/upo/{token}": an HMAC-protected "what, until when".
/// </summary>
public sealed class UpoService(UpoSigner signer, SignedTokens tokens, TimeProvider clock, SandboxOptions options)
{
    private const string LinkPurpose = "storage-link";
    private readonly ConcurrentDictionary<string, byte[]> _signed = new(StringComparer.Ordinal);
    private volatile LinkPrefixEntry? _linkPrefix;

    /// <summary>The signing certificate clients should trust.</summary>
    public UpoSigner Signer => signer;

    /// <summary>The accepted invoices of a session (those a session UPO lists), in ordinal order.</summary>
    public static IReadOnlyList<InvoiceRecord> Accepted(SessionRecord session) => session.Invoices.Where(i => i.Status == 200).ToList();

    /// <summary>Whether the session has a UPO yet (it is generated once the session is processed successfully).</summary>
    public static bool HasSessionUpo(SessionRecord session) => session.Status == 200;

    /// <summary>The reference numbers of the session UPO pages (…-EU-…), the same on every call.</summary>
    public string[] PageReferences(SessionRecord session)
    {
        var pages = UpoDocumentBuilder.PageCount(session.SuccessfulInvoiceCount, options.UpoPageSize);
        return Enumerable.Range(1, pages).Select(page =>
        {
            var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(session.ReferenceNumber + "|" + page.ToString(CultureInfo.InvariantCulture))));
            return KsefIdentifiers.NewReferenceNumber(session.Updated, "EU", new Random(seed));
        }).ToArray();
    }

    /// <summary>The signed UPO of an accepted invoice, or null when it has none.</summary>
    /// <param name="session">The invoice's session.</param>
    /// <param name="invoice">The invoice.</param>
    /// <param name="version">"v4-2" or "v4-3"; null for the session's own version.</param>
    public byte[]? InvoiceUpo(SessionRecord session, InvoiceRecord invoice, string? version = null)
    {
        version ??= session.UpoVersion;
        return invoice.Status != 200 || invoice.KsefNumber is null
            ? null
            : _signed.GetOrAdd("invoice|" + version + "|" + invoice.ReferenceNumber, _ => signer.Sign(UpoDocumentBuilder.Invoice(session, invoice, version)));
    }

    /// <summary>The signed session UPO page with that reference number, or null.</summary>
    /// <param name="session">The session.</param>
    /// <param name="pageReference">The page's reference number.</param>
    /// <param name="version">"v4-2" or "v4-3"; null for the session's own version.</param>
    public byte[]? SessionUpoPage(SessionRecord session, string pageReference, string? version = null)
    {
        version ??= session.UpoVersion;
        if (!HasSessionUpo(session)) return null;
        var page = Array.IndexOf(PageReferences(session), pageReference) + 1;
        if (page == 0) return null;
        return _signed.GetOrAdd("session|" + version + "|" + session.ReferenceNumber + "|" + page.ToString(CultureInfo.InvariantCulture),
            _ => signer.Sign(UpoDocumentBuilder.SessionPage(session, Accepted(session), page, options.UpoPageSize, version)));
    }

    /// <summary>A fresh download link: absolute, no bearer token needed, valid for the configured lifetime.</summary>
    public (Uri Url, DateTimeOffset ExpiresAt) Link(HttpContext http, string kind, string sessionReference, string id)
    {
        var expires = clock.GetUtcNow() + options.UpoLinkLifetime;
        // A page of invoices makes one link per accepted invoice: the payload "kind|session|id|expiry" is formatted on
        // the stack and the link is built as one string around the token.
        Span<char> payload = stackalloc char[256];
        var written = 0;
        var digits = 0;
        var fits = TryAppend(payload, ref written, kind) && TryAppend(payload, ref written, "|")
            && TryAppend(payload, ref written, sessionReference) && TryAppend(payload, ref written, "|")
            && TryAppend(payload, ref written, id) && TryAppend(payload, ref written, "|")
            && expires.ToUnixTimeMilliseconds().TryFormat(payload[written..], out digits, default, CultureInfo.InvariantCulture);
        var url = fits
            ? tokens.Protect(LinkPurpose, payload[..(written + digits)], LinkPrefix(http))
            : LinkPrefix(http) + tokens.Protect(LinkPurpose, string.Join("|", kind, sessionReference, id, expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        return (new Uri(url), expires);
    }

    private static bool TryAppend(Span<char> buffer, ref int written, string text)
    {
        if (!text.AsSpan().TryCopyTo(buffer[written..])) return false;
        written += text.Length;
        return true;
    }

    /// <summary>"scheme://host/storage/upo/" (the public base URL when configured), kept while requests keep coming to the same address.</summary>
    private string LinkPrefix(HttpContext http)
    {
        var scheme = http.Request.Scheme;
        var host = http.Request.Host;
        var cached = _linkPrefix;
        if (cached is not null && cached.Scheme == scheme && cached.Host == host.Value) return cached.Prefix;
        cached = new LinkPrefixEntry(scheme, host.Value, options.PublicOrigin(http.Request) + "/storage/upo/");
        _linkPrefix = cached;
        return cached.Prefix;
    }

    private sealed record LinkPrefixEntry(string Scheme, string? Host, string Prefix);

    /// <summary>What a link points at, or why it does not work.</summary>
    public (string Kind, string Session, string Id)? ReadLink(string token, out string problem)
    {
        var parts = tokens.Unprotect(LinkPurpose, token)?.Split('|');
        if (parts is not { Length: 4 } || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            problem = "Signature did not match.";
            return null;
        }
        if (DateTimeOffset.FromUnixTimeMilliseconds(expires) <= clock.GetUtcNow())
        {
            problem = "Signed expiry time has passed.";
            return null;
        }
        problem = "";
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>The x-ms-meta-hash value: Base64 SHA-256 of the body.</summary>
    public static string Hash(byte[] body) => Convert.ToBase64String(SHA256.HashData(body));
}
