using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Paging;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;
using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Sending;

/// <summary>
/// Sends invoices to KSeF and follows them to their UPOs: online sessions (<see cref="OpenOnlineSessionAsync"/>),
/// batch packages (<see cref="SendBatchAsync"/>), the wait for a session and its invoices
/// (<see cref="WaitForSessionAsync"/>) and the UPO downloads through renewed pre-signed links. The session key,
/// encryption, hashes and sizes are computed here; failures of the API come as <see cref="KsefRequestException"/> with
/// the code's documented meaning.
/// </summary>
/// <remarks>
/// Give it the authenticated client: one whose handlers add the access token (<c>AddKsefClient</c>'s pipeline, or
/// an <see cref="Http.KsefAccessTokenHandler"/> over a <see cref="Http.KsefTokenSession"/>). It never resends an
/// invoice by itself: KSeF's rule is to wait on 100/150 and to establish the state before any resend.
/// </remarks>
public sealed partial class KsefSender
{
    private static readonly Lazy<HttpClient> SharedStorage = new(() => new HttpClient());

    private readonly KsefCalls _calls;
    private readonly KsefSenderOptions _options;
    private readonly KsefPublicKeyCache _keys;

    /// <summary>Creates a sender.</summary>
    /// <param name="http">The authenticated client for the KSeF API. Not disposed.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public KsefSender(HttpClient http, KsefSenderOptions? options = null)
    {
        _options = options ?? new KsefSenderOptions();
        _calls = new KsefCalls(http, _options.BaseAddress);
        _keys = _options.PublicKeys ?? new KsefPublicKeyCache(http, _calls.Root, _options.TimeProvider);
    }

    /// <summary>The public keys the session keys are wrapped with.</summary>
    public KsefPublicKeyCache PublicKeys => _keys;

    internal KsefCalls Calls => _calls;

    internal KsefSenderOptions Options => _options;

    private HttpClient Storage => _options.Storage ?? SharedStorage.Value;

    /// <summary>Opens an online session with a fresh AES-256 session key.</summary>
    /// <param name="formCode">The invoices' schema, e.g. <see cref="KsefFormCode.Fa3"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open session; send invoices, then close it.</returns>
    public async Task<KsefOnlineSession> OpenOnlineSessionAsync(KsefFormCode formCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(formCode);
        for (var attempt = 1; ; attempt++)
        {
            var key = KsefSessionKey.Create(await _keys.GetAsync(KsefPublicKeyUsage.SymmetricKeyEncryption, cancellationToken).ConfigureAwait(false));
            try
            {
                var opened = await _calls.SendAsync(HttpMethod.Post, "sessions/online",
                    new WireOpenOnline(Wire(formCode), Wire(key)), KsefWireJson.Default.WireOpenOnline,
                    KsefWireJson.Default.WireOpened, null, cancellationToken).ConfigureAwait(false);
                Log("KSeF online session {Reference} opened for {FormCode}, valid until {ValidUntil:u}", opened.ReferenceNumber, formCode, opened.ValidUntil);
                return new KsefOnlineSession(this, opened.ReferenceNumber, opened.ValidUntil, key);
            }
            catch (KsefRequestException e) when (e.ExceptionCode == 21470 && attempt == 1)
            {
                key.Dispose();
                Log("KSeF does not know the public key the session key was wrapped with; fetching the certificates again");
                _keys.Invalidate();
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Polls a closed session until its status is final, then polls its invoices until each is final, and returns
    /// everything with the UPO links. A session that ends without invoices (440, 4xx) returns what KSeF reports.
    /// </summary>
    /// <param name="sessionReferenceNumber">The session.</param>
    /// <param name="progress">Told after every session poll.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The processed session.</returns>
    /// <exception cref="KsefPollingTimeoutException">The session or an invoice was not final before the polling deadline.</exception>
    public async Task<KsefSessionResult> WaitForSessionAsync(string sessionReferenceNumber, IProgress<KsefPollingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionReferenceNumber);
        var path = $"sessions/{Uri.EscapeDataString(sessionReferenceNumber)}";
        var polling = _options.Polling;
        var session = await KsefStatusPoller.WaitForAsync(
            ct => _calls.GetAsync(path, KsefWireJson.Default.WireSessionStatus, null, ct),
            s => s.Status.Code,
            Clone(polling, code => code >= 200),
            new KsefPollLogger(_options.Logger, "session " + sessionReferenceNumber, progress),
            cancellationToken).ConfigureAwait(false);
        Log("KSeF session {Reference} is {Code} ({Description}): {Invoices} invoices, {Successful} accepted, {Failed} rejected",
            sessionReferenceNumber, session.Status.Code, session.Status.Description, session.InvoiceCount, session.SuccessfulInvoiceCount, session.FailedInvoiceCount);

        // Then the invoices, listed again (same backoff and deadline) while any is still 100/150.
        var invoices = await KsefStatusPoller.WaitForAsync(
            ct => InvoicesAsync(sessionReferenceNumber, ct),
            list => list.FirstOrDefault(i => i.Code < 200)?.Code ?? 200,
            Clone(polling, code => code >= 200),
            new KsefPollLogger(_options.Logger, $"invoices of session {sessionReferenceNumber}", null),
            cancellationToken).ConfigureAwait(false);
        return SessionResult(sessionReferenceNumber, session, invoices);
    }

    /// <summary>A session status as the runtime reports it, with the invoices listed (or none).</summary>
    private static KsefSessionResult SessionResult(string sessionReferenceNumber, WireSessionStatus session, IReadOnlyList<KsefInvoiceResult> invoices) => new()
    {
        ReferenceNumber = sessionReferenceNumber,
        Code = session.Status.Code,
        Description = session.Status.Description,
        Details = session.Status.Details ?? [],
        InvoiceCount = session.InvoiceCount,
        SuccessfulInvoiceCount = session.SuccessfulInvoiceCount,
        FailedInvoiceCount = session.FailedInvoiceCount,
        Invoices = invoices,
        UpoPages = Pages(session),
    };

    /// <summary>Every invoice of a session with its current status, each exactly once (continuation-token paging).</summary>
    /// <param name="sessionReferenceNumber">The session.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The invoices.</returns>
    public async IAsyncEnumerable<KsefInvoiceResult> ListSessionInvoicesAsync(string sessionReferenceNumber, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionReferenceNumber);
        var path = string.Create(CultureInfo.InvariantCulture, $"sessions/{Uri.EscapeDataString(sessionReferenceNumber)}/invoices?pageSize={Math.Clamp(_options.InvoicePageSize, 10, 1000)}");
        var items = KsefPager.ItemsByContinuationToken(
            (token, ct) => _calls.GetPageAsync(path, token, KsefWireJson.Default.WireSessionInvoices, ct),
            r => r.Invoices, r => r.ContinuationToken, cancellationToken: cancellationToken);
        await foreach (var invoice in items.ConfigureAwait(false))
        {
            yield return Map(sessionReferenceNumber, invoice);
        }
    }

    /// <summary>An invoice's current status (a fresh UPO link with it, when accepted).</summary>
    /// <param name="sessionReferenceNumber">The session.</param>
    /// <param name="invoiceReferenceNumber">The invoice.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    public async Task<KsefInvoiceResult> GetInvoiceAsync(string sessionReferenceNumber, string invoiceReferenceNumber, CancellationToken cancellationToken)
    {
        var wire = await _calls.GetAsync($"sessions/{Uri.EscapeDataString(sessionReferenceNumber)}/invoices/{Uri.EscapeDataString(invoiceReferenceNumber)}",
            KsefWireJson.Default.WireSessionInvoice, null, cancellationToken).ConfigureAwait(false);
        return Map(sessionReferenceNumber, wire);
    }

    /// <summary>
    /// Downloads an accepted invoice's UPO through its pre-signed link; an expired link (or one answered with an HTML
    /// page or 403) is renewed through the invoice status. The bytes and the <c>x-ms-meta-hash</c> go to
    /// <see cref="UpoVerifier.Verify(byte[], string?)"/> as they are.
    /// </summary>
    /// <param name="invoice">An accepted invoice (from <see cref="WaitForSessionAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The UPO bytes, its hash header and how the download went.</returns>
    public Task<UpoDownloadResult> DownloadInvoiceUpoAsync(KsefInvoiceResult invoice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return Downloader().DownloadAsync(invoice.Upo, async ct =>
        {
            Log("Renewing the UPO link of invoice {Reference} through its status", invoice.ReferenceNumber);
            return (await GetInvoiceAsync(invoice.SessionReferenceNumber, invoice.ReferenceNumber, ct).ConfigureAwait(false)).Upo;
        }, cancellationToken);
    }

    /// <summary>Downloads one page of a session's collective UPO, renewing its link through the session status.</summary>
    /// <param name="sessionReferenceNumber">The session.</param>
    /// <param name="page">The page (from <see cref="KsefSessionResult.UpoPages"/>).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The UPO page bytes and its hash header.</returns>
    public Task<UpoDownloadResult> DownloadSessionUpoAsync(string sessionReferenceNumber, KsefSessionUpoPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Downloader().DownloadAsync(page.Link, async ct =>
        {
            Log("Renewing the link of UPO page {Page} of session {Reference} through the session status", page.ReferenceNumber, sessionReferenceNumber);
            var status = await _calls.GetAsync($"sessions/{Uri.EscapeDataString(sessionReferenceNumber)}", KsefWireJson.Default.WireSessionStatus, null, ct).ConfigureAwait(false);
            return Pages(status).FirstOrDefault(p => p.ReferenceNumber == page.ReferenceNumber)?.Link;
        }, cancellationToken);
    }

    internal void Log(string message, params object?[] args)
    {
#pragma warning disable CA2254 // the templates are constants of the runtime
        _options.Logger?.LogInformation(message, args);
#pragma warning restore CA2254
    }

    internal static WireFormCode Wire(KsefFormCode formCode) => new(formCode.SystemCode, formCode.SchemaVersion, formCode.Value);

    internal static WireEncryption Wire(KsefSessionKey key) => new(key.EncryptedKey, key.InitializationVector, key.PublicKeyId);

    internal static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    private UpoDownloader Downloader() => new(Storage, _options.UpoDownload);

    private async Task<List<KsefInvoiceResult>> InvoicesAsync(string session, CancellationToken cancellationToken)
    {
        var list = new List<KsefInvoiceResult>();
        await foreach (var invoice in ListSessionInvoicesAsync(session, cancellationToken).ConfigureAwait(false)) list.Add(invoice);
        return list;
    }

    private static List<KsefSessionUpoPage> Pages(WireSessionStatus status) =>
        status.Upo?.Pages?.Select(p => new KsefSessionUpoPage(p.ReferenceNumber, new UpoLink(p.DownloadUrl, p.DownloadUrlExpirationDate))).ToList() ?? [];

    private static KsefInvoiceResult Map(string session, WireSessionInvoice wire) => new()
    {
        SessionReferenceNumber = session,
        ReferenceNumber = wire.ReferenceNumber,
        OrdinalNumber = wire.OrdinalNumber,
        InvoiceNumber = wire.InvoiceNumber,
        KsefNumber = wire.KsefNumber,
        InvoiceFileName = wire.InvoiceFileName,
        InvoiceHash = wire.InvoiceHash,
        AcquisitionDate = wire.AcquisitionDate,
        InvoicingDate = wire.InvoicingDate,
        InvoicingMode = wire.InvoicingMode,
        Code = wire.Status.Code,
        Description = wire.Status.Description,
        Details = wire.Status.Details ?? [],
        Extensions = wire.Status.Extensions,
        Upo = wire.UpoDownloadUrl is { } url ? new UpoLink(url, wire.UpoDownloadUrlExpirationDate) : null,
    };

    private static KsefPollingOptions Clone(KsefPollingOptions source, Func<int, bool> terminal) => new()
    {
        InitialInterval = source.InitialInterval,
        BackoffFactor = source.BackoffFactor,
        MaxInterval = source.MaxInterval,
        Deadline = source.Deadline,
        RetryAfter = source.RetryAfter,
        TimeProvider = source.TimeProvider,
        IsTerminal = terminal,
    };
}
