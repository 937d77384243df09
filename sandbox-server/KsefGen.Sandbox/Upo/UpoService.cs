using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Immutable;
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
    private readonly LinkMacs _macs = new(tokens, LinkPurpose);
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SessionRecord, PageReferencesEntry> _pageReferences = new();
    private volatile LinkPrefixEntry? _linkPrefix;

    /// <summary>The signing certificate clients should trust.</summary>
    public UpoSigner Signer => signer;

    /// <summary>The accepted invoices of a session (those a session UPO lists), in ordinal order.</summary>
    public static IReadOnlyList<InvoiceRecord> Accepted(SessionRecord session) => session.Invoices.Where(i => i.Status == 200).ToList();

    /// <summary>Whether the session has a UPO yet (it is generated once the session is processed successfully).</summary>
    public static bool HasSessionUpo(SessionRecord session) => session.Status == 200;

    /// <summary>The reference numbers of the session UPO pages (…-EU-…), the same on every call.</summary>
    public ImmutableArray<string> PageReferences(SessionRecord session)
    {
        // Derived from what they depend on, then kept with the session while that stays the same (every status call of
        // a processed session lists them).
        var pages = UpoDocumentBuilder.PageCount(session.SuccessfulInvoiceCount, options.UpoPageSize);
        var updated = session.Updated;
        if (_pageReferences.TryGetValue(session, out var known) && known.Pages == pages && known.Updated == updated) return known.References;
        var references = Enumerable.Range(1, pages).Select(page =>
        {
            var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(session.ReferenceNumber + "|" + page.ToString(CultureInfo.InvariantCulture))));
            return KsefIdentifiers.NewReferenceNumber(updated, "EU", new Random(seed));
        }).ToImmutableArray();
        _pageReferences.AddOrUpdate(session, new PageReferencesEntry(pages, updated, references));
        return references;
    }

    private sealed record PageReferencesEntry(int Pages, DateTimeOffset Updated, ImmutableArray<string> References);

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
    public byte[]? SessionUpoPage(SessionRecord session, string pageReference, string? version = null) =>
        SessionUpoPage(session, PageReferences(session).IndexOf(pageReference) + 1, version);

    /// <summary>The signed session UPO page with that number (1-based), or null.</summary>
    /// <param name="session">The session.</param>
    /// <param name="page">The page's number.</param>
    /// <param name="version">"v4-2" or "v4-3"; null for the session's own version.</param>
    public byte[]? SessionUpoPage(SessionRecord session, int page, string? version = null)
    {
        version ??= session.UpoVersion;
        if (!HasSessionUpo(session) || page < 1 || page > UpoDocumentBuilder.PageCount(session.SuccessfulInvoiceCount, options.UpoPageSize)) return null;
        return _signed.GetOrAdd("session|" + version + "|" + session.ReferenceNumber + "|" + page.ToString(CultureInfo.InvariantCulture),
            _ => signer.Sign(UpoDocumentBuilder.SessionPage(session, Accepted(session), page, options.UpoPageSize, version)));
    }

    /// <summary>A fresh download link: absolute, no bearer token needed, valid for the configured lifetime.</summary>
    /// <param name="http">The request (the address the link uses).</param>
    /// <param name="kind">"invoice" or "session".</param>
    /// <param name="sessionReference">The session.</param>
    /// <param name="number">The invoice's ordinal number, or the session UPO's page number.</param>
    public (Uri Url, DateTimeOffset ExpiresAt) Link(HttpContext http, string kind, string sessionReference, int number)
    {
        var links = Links(http, kind, sessionReference);
        Span<byte> mac = stackalloc byte[LinkMacs.MacLength];
        links.Sign([number], mac);
        return (new Uri(links.Format(number, mac)), links.Expires);
    }

    /// <summary>
    /// The links of one response (a page of invoices), signed together and written straight into its JSON. They share
    /// the address, the kind, the session and the expiry, so those are formatted and authenticated once per response.
    /// </summary>
    /// <param name="http">The request (the address the links use).</param>
    /// <param name="kind">"invoice" or "session".</param>
    /// <param name="sessionReference">The session every link of the response belongs to.</param>
    public LinkWriter Links(HttpContext http, string kind, string sessionReference)
    {
        var expires = clock.GetUtcNow() + options.UpoLinkLifetime;
        var milliseconds = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return new LinkWriter(_macs, LinkPrefixEntryFor(http).Utf8, Encoding.UTF8.GetBytes(kind + "|" + sessionReference + "|"), Encoding.UTF8.GetBytes("|" + milliseconds),
            Encoding.UTF8.GetBytes(kind + "|" + sessionReference + "|" + milliseconds), expires);
    }

    /// <summary>
    /// Signs and writes the links of one response. A link is "/storage/upo/" + base64url(payload) + "." +
    /// base64url(MAC), with the payload "kind|session|number|expiry (Unix ms)". The MAC is the <see cref="LinkMacs"/>
    /// MAC of the number in the context "kind|session|expiry", which every link of the response shares.
    /// </summary>
    public sealed class LinkWriter
    {
        private const int StackLimit = 1024;
        private readonly LinkMacs _macs;
        private readonly byte[] _prefix;
        private readonly byte[] _head;
        private readonly byte[] _tail;
        private readonly byte[] _context;

        internal LinkWriter(LinkMacs macs, byte[] prefix, byte[] head, byte[] tail, byte[] context, DateTimeOffset expires)
        {
            _macs = macs;
            _prefix = prefix;
            _head = head;
            _tail = tail;
            _context = context;
            Expires = expires;
        }

        /// <summary>When every link of this writer expires.</summary>
        public DateTimeOffset Expires { get; }

        /// <summary><see cref="Expires"/> as the JSON string a Utf8JsonWriter writes for it, formatted once for all the links.</summary>
        public byte[] ExpiresJson => field ??= JsonSerializer.SerializeToUtf8Bytes(Expires, UpoJson.Default.DateTimeOffset);

        /// <summary>The MACs of the links to <paramref name="numbers"/>, <see cref="LinkMacs.MacLength"/> bytes each, in one go.</summary>
        public void Sign(ReadOnlySpan<int> numbers, Span<byte> macs) => _macs.Compute(_context, numbers, macs);

        /// <summary>Writes the property <paramref name="propertyName"/> with the link to <paramref name="number"/>, signed by <see cref="Sign"/>.</summary>
        public void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> propertyName, int number, ReadOnlySpan<byte> mac)
        {
            byte[]? rented = null;
            try
            {
                var max = MaxLength;
                var link = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
                writer.WriteString(propertyName, link[..Format(number, mac, link)]);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>The link to <paramref name="number"/>, signed by <see cref="Sign"/>, as a string.</summary>
        public string Format(int number, ReadOnlySpan<byte> mac)
        {
            var link = new byte[MaxLength];
            return Encoding.UTF8.GetString(link, 0, Format(number, mac, link));
        }

        private int MaxLength => _prefix.Length + Base64Url.GetEncodedLength(_head.Length + 11 + _tail.Length) + 1 + Base64Url.GetEncodedLength(LinkMacs.MacLength);

        private int Format(int number, ReadOnlySpan<byte> mac, Span<byte> link)
        {
            Span<byte> payload = stackalloc byte[StackLimit];
            if (_head.Length + 11 + _tail.Length > payload.Length) payload = new byte[_head.Length + 11 + _tail.Length];
            _head.CopyTo(payload);
            if (!Utf8Formatter.TryFormat(number, payload[_head.Length..], out var digits)) throw new InvalidOperationException("The link payload buffer is too small.");
            var length = _head.Length + digits;
            _tail.CopyTo(payload[length..]);
            length += _tail.Length;

            _prefix.CopyTo(link);
            var written = _prefix.Length;
            written += Base64Url.EncodeToUtf8(payload[..length], link[written..]);
            link[written++] = (byte)'.';
            written += Base64Url.EncodeToUtf8(mac[..LinkMacs.MacLength], link[written..]);
            return written;
        }
    }

    /// <summary>"scheme://host/storage/upo/" (the public base URL when configured), kept while requests keep coming to the same address.</summary>
    private LinkPrefixEntry LinkPrefixEntryFor(HttpContext http)
    {
        var scheme = http.Request.Scheme;
        var host = http.Request.Host;
        var cached = _linkPrefix;
        if (cached is not null && cached.Scheme == scheme && cached.Host == host.Value) return cached;
        var prefix = options.PublicOrigin(http.Request) + "/storage/upo/";
        cached = new LinkPrefixEntry(scheme, host.Value, Encoding.UTF8.GetBytes(prefix));
        _linkPrefix = cached;
        return cached;
    }

    private sealed record LinkPrefixEntry(string Scheme, string? Host, byte[] Utf8);

    /// <summary>What a link points at (the kind, the session, the invoice's ordinal or the UPO page's number), or why it does not work.</summary>
    public (string Kind, string Session, int Number)? ReadLink(string token, out string problem)
    {
        problem = "Signature did not match.";
        var dot = token.IndexOf('.');
        if (token.Length > 1024 || dot <= 0) return null;
        Span<byte> payload = stackalloc byte[Base64Url.GetMaxDecodedLength(1024)];
        Span<byte> mac = stackalloc byte[LinkMacs.MacLength];
        if (Base64Url.DecodeFromChars(token.AsSpan(0, dot), payload, out _, out var length) != OperationStatus.Done
            || Base64Url.DecodeFromChars(token.AsSpan(dot + 1), mac, out _, out var macLength) != OperationStatus.Done || macLength != LinkMacs.MacLength)
        {
            return null;
        }
        payload = payload[..length];
        // kind|session|number|expiry: the MAC covers the context (the payload without "|number") and the number.
        var first = payload.IndexOf((byte)'|');
        var second = first < 0 ? -1 : payload[(first + 1)..].IndexOf((byte)'|') + first + 1;
        var third = second <= first ? -1 : payload[(second + 1)..].IndexOf((byte)'|') + second + 1;
        if (third <= second
            || !Utf8Parser.TryParse(payload[(second + 1)..third], out int number, out var numberLength) || numberLength != third - second - 1
            || !Utf8Parser.TryParse(payload[(third + 1)..], out long expires, out var expiresLength) || expiresLength != payload.Length - third - 1)
        {
            return null;
        }
        Span<byte> context = stackalloc byte[payload.Length];
        payload[..second].CopyTo(context);
        payload[third..].CopyTo(context[second..]);
        if (!_macs.Verify(context[..(payload.Length - (third - second))], number, mac)) return null;
        if (DateTimeOffset.FromUnixTimeMilliseconds(expires) <= clock.GetUtcNow())
        {
            problem = "Signed expiry time has passed.";
            return null;
        }
        problem = "";
        return (Encoding.UTF8.GetString(payload[..first]), Encoding.UTF8.GetString(payload[(first + 1)..second]), number);
    }

    /// <summary>The x-ms-meta-hash value: Base64 SHA-256 of the body.</summary>
    public static string Hash(byte[] body) => Convert.ToBase64String(SHA256.HashData(body));
}

/// <summary>Source-generated JSON metadata for the one value UpoService formats itself.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class UpoJson : System.Text.Json.Serialization.JsonSerializerContext;
