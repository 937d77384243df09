using KsefGen.Runtime.Api;
using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Status;

namespace KsefGen.Runtime.Sending;

/// <summary>
/// An open online (interactive) session: send invoices one by one (encrypted with the session key, hashes and sizes
/// computed here), then close it and wait for the results. Disposing an unclosed session closes it (best effort), so
/// its UPO is generated; a session left open closes by itself after 12 hours.
/// </summary>
public sealed class KsefOnlineSession : IAsyncDisposable
{
    private readonly KsefSender _sender;
    private readonly KsefSessionKey _key;
    private int _closed;

    internal KsefOnlineSession(KsefSender sender, string referenceNumber, DateTimeOffset? validUntil, KsefSessionKey key)
    {
        _sender = sender;
        _key = key;
        ReferenceNumber = referenceNumber;
        ValidUntil = validUntil;
    }

    /// <summary>The session's reference number (<c>...-SO-...</c>): keep it with your invoices.</summary>
    public string ReferenceNumber { get; }

    /// <summary>When KSeF closes the session by itself.</summary>
    public DateTimeOffset? ValidUntil { get; }

    /// <summary>The invoices sent so far, in order.</summary>
    public IReadOnlyList<KsefSentInvoice> Sent => _sent;

    private readonly List<KsefSentInvoice> _sent = [];

    /// <summary>Encrypts and sends one invoice (202: accepted for processing, not yet checked).</summary>
    /// <param name="invoiceXml">The invoice XML as it should be stored (UTF-8).</param>
    /// <param name="options">Offline mode or a technical correction; none when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The invoice's reference number and hash.</returns>
    /// <exception cref="KsefRequestException">KSeF refused it (21155, 21166, 21167, 21180, 21402, 21403, 21405 ...).</exception>
    public async Task<KsefSentInvoice> SendInvoiceAsync(ReadOnlyMemory<byte> invoiceXml, KsefInvoiceSendOptions? options, CancellationToken cancellationToken)
    {
        if (invoiceXml.IsEmpty) throw new ArgumentException("The invoice is empty.", nameof(invoiceXml));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
        var encrypted = _key.Encrypt(invoiceXml.Span);
        var hash = KsefSender.Sha256(invoiceXml.Span);
        var corrected = options?.CorrectedInvoiceHash ?? (options?.CorrectedInvoice is { } original ? KsefSender.Sha256(original.Span) : null);
        var request = new WireSendInvoice(hash, invoiceXml.Length, KsefSender.Sha256(encrypted), encrypted.Length, encrypted, options?.OfflineMode ?? false, corrected);
        var sent = await _sender.Calls.SendAsync(HttpMethod.Post, $"sessions/online/{Uri.EscapeDataString(ReferenceNumber)}/invoices",
            request, KsefWireJson.Default.WireSendInvoice, KsefWireJson.Default.WireReference, null, cancellationToken).ConfigureAwait(false);
        var result = new KsefSentInvoice(sent.ReferenceNumber, hash, invoiceXml.Length);
        lock (_sent) _sent.Add(result);
        _sender.Log("KSeF invoice {Invoice} sent in session {Reference} ({Size} bytes{Mode})", sent.ReferenceNumber, ReferenceNumber, invoiceXml.Length,
            corrected is not null ? ", technical correction" : options?.OfflineMode == true ? ", offline" : "");
        return result;
    }

    /// <summary>Encrypts and sends one invoice.</summary>
    /// <param name="invoiceXml">The invoice XML (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The invoice's reference number and hash.</returns>
    public Task<KsefSentInvoice> SendInvoiceAsync(ReadOnlyMemory<byte> invoiceXml, CancellationToken cancellationToken) =>
        SendInvoiceAsync(invoiceXml, null, cancellationToken);

    /// <summary>Closes the session: KSeF finishes processing its invoices and generates the session UPO.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try
        {
            await _sender.Calls.SendAsync(HttpMethod.Post, $"sessions/online/{Uri.EscapeDataString(ReferenceNumber)}/close", null, cancellationToken).ConfigureAwait(false);
            _sender.Log("KSeF online session {Reference} closed after {Count} invoices", ReferenceNumber, _sent.Count);
        }
        catch
        {
            Volatile.Write(ref _closed, 0);
            throw;
        }
        finally
        {
            if (Volatile.Read(ref _closed) != 0) _key.Dispose();
        }
    }

    /// <summary>Closes the session and waits until it and every invoice in it is final.</summary>
    /// <param name="progress">Told after every session poll.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The processed session.</returns>
    public async Task<KsefSessionResult> CloseAndWaitAsync(IProgress<KsefPollingProgress>? progress, CancellationToken cancellationToken)
    {
        await CloseAsync(cancellationToken).ConfigureAwait(false);
        return await _sender.WaitForSessionAsync(ReferenceNumber, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the session and waits until it and every invoice in it is final.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The processed session.</returns>
    public Task<KsefSessionResult> CloseAndWaitAsync(CancellationToken cancellationToken) => CloseAndWaitAsync(null, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _closed) != 0) return;
        try
        {
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // Best effort: KSeF closes an open session by itself after 12 hours.
        }
        finally
        {
            _key.Dispose();
        }
    }
}
