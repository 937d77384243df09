using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Upo;

/// <summary>
/// Signed UPO documents (made once, then served byte for byte, so their hash never changes) and the pre-signed,
/// expiring storage links to them. A link is "/storage/upo/{token}": an HMAC-protected "what, until when".
/// </summary>
internal sealed class UpoService(UpoSigner signer, SignedTokens tokens, TimeProvider clock, SandboxOptions options)
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

    /// <summary>
    /// The links of one response (a page of invoices), written straight into its JSON. They share the address, the
    /// kind, the session and the expiry, so those are formatted once per response, not once per link.
    /// </summary>
    /// <param name="http">The request (the address the links use).</param>
    /// <param name="kind">"invoice" or "session".</param>
    /// <param name="sessionReference">The session every link of the response belongs to.</param>
    public LinkWriter Links(HttpContext http, string kind, string sessionReference)
    {
        var expires = clock.GetUtcNow() + options.UpoLinkLifetime;
        var milliseconds = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return new LinkWriter(tokens, LinkPrefixEntryFor(http).Utf8, Encoding.UTF8.GetBytes(kind + "|" + sessionReference + "|"), Encoding.UTF8.GetBytes("|" + milliseconds), expires);
    }

    /// <summary>
    /// Writes links as <see cref="Link"/> makes them, UTF-8 straight into a JSON writer: the payload, the token and
    /// the link are formatted on the stack. As a Uri per invoice, a 100-invoice page allocated about 80 KB (the link
    /// string, its Uri and the DTO around it) against the bare endpoint's 6 KB for the same bytes.
    /// </summary>
    public sealed class LinkWriter
    {
        private const int StackLimit = 1024;
        private readonly SignedTokens _tokens;
        private readonly byte[] _prefix;
        private readonly byte[] _head;
        private readonly byte[] _tail;

        internal LinkWriter(SignedTokens tokens, byte[] prefix, byte[] head, byte[] tail, DateTimeOffset expires)
        {
            _tokens = tokens;
            _prefix = prefix;
            _head = head;
            _tail = tail;
            Expires = expires;
        }

        /// <summary>When every link of this writer expires.</summary>
        public DateTimeOffset Expires { get; }

        /// <summary><see cref="Expires"/> as the JSON string a Utf8JsonWriter writes for it, formatted once for all the links.</summary>
        public byte[] ExpiresJson => field ??= JsonSerializer.SerializeToUtf8Bytes(Expires, UpoJson.Default.DateTimeOffset);

        /// <summary>Writes the property <paramref name="propertyName"/> with the link to <paramref name="id"/>.</summary>
        public void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> propertyName, string id)
        {
            var payloadMax = _head.Length + Encoding.UTF8.GetMaxByteCount(id.Length) + _tail.Length;
            var linkMax = _prefix.Length + Base64Url.GetEncodedLength(payloadMax) + 1 + Base64Url.GetEncodedLength(32);
            byte[]? rented = null;
            try
            {
                var buffer = payloadMax + linkMax <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(payloadMax + linkMax));
                var payload = buffer[..payloadMax];
                _head.CopyTo(payload);
                var length = _head.Length + Encoding.UTF8.GetBytes(id, payload[_head.Length..]);
                _tail.CopyTo(payload[length..]);
                length += _tail.Length;

                var link = buffer[payloadMax..];
                _prefix.CopyTo(link);
                if (!_tokens.TryProtect(LinkPurpose, payload[..length], link[_prefix.Length..], out var token)) throw new InvalidOperationException("The link buffer is too small.");
                writer.WriteString(propertyName, link[..(_prefix.Length + token)]);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryAppend(Span<char> buffer, ref int written, string text)
    {
        if (!text.AsSpan().TryCopyTo(buffer[written..])) return false;
        written += text.Length;
        return true;
    }

    /// <summary>"scheme://host/storage/upo/" (the public base URL when configured), kept while requests keep coming to the same address.</summary>
    private string LinkPrefix(HttpContext http) => LinkPrefixEntryFor(http).Prefix;

    private LinkPrefixEntry LinkPrefixEntryFor(HttpContext http)
    {
        var scheme = http.Request.Scheme;
        var host = http.Request.Host;
        var cached = _linkPrefix;
        if (cached is not null && cached.Scheme == scheme && cached.Host == host.Value) return cached;
        var prefix = options.PublicOrigin(http.Request) + "/storage/upo/";
        cached = new LinkPrefixEntry(scheme, host.Value, prefix, Encoding.UTF8.GetBytes(prefix));
        _linkPrefix = cached;
        return cached;
    }

    private sealed record LinkPrefixEntry(string Scheme, string? Host, string Prefix, byte[] Utf8);

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

/// <summary>Source-generated JSON metadata for the one value UpoService formats itself.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class UpoJson : System.Text.Json.Serialization.JsonSerializerContext;
