using KsefGen.Runtime.Api;
using KsefGen.Runtime.Sending;
using KsefGen.Runtime.Status;
using KsefGen.Runtime.Upo;

namespace KsefGen.Upo;

/// <summary>What a sync run did.</summary>
internal sealed class SyncStats
{
    private int _invoiceUpos;
    private int _sessionUpos;
    private int _failures;
    private int _alreadyArchived;
    private int _linkRenewals;
    private int _rateLimitWaits;

    public int Sessions { get; set; }
    public int SessionsUnchanged { get; set; }
    public int Invoices { get; set; }
    public int InvoiceUposFetched => _invoiceUpos;
    public int SessionUposFetched => _sessionUpos;
    public int Failures => _failures;
    public int AlreadyArchived => _alreadyArchived;
    public int LinkRenewals => _linkRenewals;
    public int RateLimitWaits => _rateLimitWaits;

    public void InvoiceUpo() => Interlocked.Increment(ref _invoiceUpos);
    public void SessionUpo() => Interlocked.Increment(ref _sessionUpos);
    public void Failure() => Interlocked.Increment(ref _failures);
    public void Archived() => Interlocked.Increment(ref _alreadyArchived);
    public void Renewed(int count) => Interlocked.Add(ref _linkRenewals, count);
    public void RateLimitWait() => Interlocked.Increment(ref _rateLimitWaits);
}

/// <summary>Told what a sync run is doing (the terminal, or nothing in tests).</summary>
internal interface ISyncObserver
{
    void SessionFound(KsefSessionSummary session);
    void SessionSkipped(KsefSessionSummary session);
    void InvoicesListed(KsefSessionSummary session, int invoices, int pendingUpos);
    void UpoFetched(string what);
    void UpoSkipped();
    void Failed(string what, string why);
    void Waiting(TimeSpan delay, string why);
    void SessionDone(KsefSessionSummary session);
}

/// <summary>
/// Walks every session (online and batch) in a date range and every invoice in them; downloads, verifies and archives
/// the UPO of each accepted invoice and each session UPO page; records all of it in the ledger. Never sends anything.
/// A UPO file is written (temp file + move) before its ledger row; ledger writes are idempotent upserts, so a run
/// killed anywhere and started again ends where an uninterrupted run would.
/// </summary>
internal sealed class UpoSyncer(KsefSender sender, Ledger ledger, UpoChecks checks, string archive, ISyncObserver observer, SyncStats? stats = null, int parallelism = 4)
{
    public SyncStats Stats { get; } = stats ?? new();

    public async Task<SyncStats> RunAsync(DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(archive);
        // A run killed mid-write may leave the archive's temporary files behind; they are never a UPO.
        foreach (var stale in Directory.EnumerateFiles(archive, ".*.upo.tmp")) File.Delete(stale);
        foreach (var type in new[] { KsefSessionType.Online, KsefSessionType.Batch })
        {
            await foreach (var session in sender.ListSessionsAsync(type, since, until, cancellationToken).ConfigureAwait(false))
            {
                Stats.Sessions++;
                observer.SessionFound(session);
                await SyncSessionAsync(session, cancellationToken).ConfigureAwait(false);
            }
        }
        return Stats;
    }

    private async Task SyncSessionAsync(KsefSessionSummary session, CancellationToken cancellationToken)
    {
        var known = ledger.Session(session.ReferenceNumber);
        if (known is { Complete: true } && known.StatusCode == session.Code && known.InvoiceCount == session.TotalInvoiceCount && Intact(session.ReferenceNumber))
        {
            Stats.SessionsUnchanged++;
            observer.SessionSkipped(session);
            return;
        }

        var invoices = new List<KsefInvoiceResult>();
        await foreach (var invoice in sender.ListSessionInvoicesAsync(session.ReferenceNumber, cancellationToken).ConfigureAwait(false)) invoices.Add(invoice);
        Stats.Invoices += invoices.Count;
        var existing = ledger.Invoices(session.ReferenceNumber).ToDictionary(i => i.InvoiceReference, StringComparer.Ordinal);
        var type = session.Type.ToString();
        ledger.UpsertInvoices(invoices.Select(i => Row(type, i)));

        var pending = new List<KsefInvoiceResult>();
        foreach (var invoice in invoices.Where(i => i.Code == 200))
        {
            if (existing.TryGetValue(invoice.ReferenceNumber, out var row) && row.UpoFile is not null && row.UpoError is null
                && UpoChecks.FileSha256(Path.Combine(archive, row.UpoFile)) == row.UpoSha256)
            {
                Stats.Archived();
                observer.UpoSkipped();
            }
            else
            {
                pending.Add(invoice);
            }
        }
        observer.InvoicesListed(session, invoices.Count, pending.Count);

        var failed = 0;
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (invoice, ct) =>
        {
            if (!await FetchInvoiceUpoAsync(type, invoice, ct).ConfigureAwait(false)) Interlocked.Increment(ref failed);
        }).ConfigureAwait(false);

        if (session.Code == 200 && !await FetchSessionUposAsync(session, cancellationToken).ConfigureAwait(false)) failed++;

        var terminal = session.Advice.IsTerminal && invoices.All(i => i.Advice.IsTerminal);
        ledger.UpsertSession(new LedgerSession
        {
            SessionReference = session.ReferenceNumber,
            SessionType = type,
            StatusCode = session.Code,
            StatusDescription = session.Description,
            DateCreated = session.DateCreated,
            InvoiceCount = session.TotalInvoiceCount,
            Complete = terminal && failed == 0,
        });
        observer.SessionDone(session);
    }

    private async Task<bool> FetchInvoiceUpoAsync(string type, KsefInvoiceResult invoice, CancellationToken cancellationToken)
    {
        try
        {
            var download = await sender.DownloadInvoiceUpoAsync(invoice, cancellationToken).ConfigureAwait(false);
            Stats.Renewed(download.LinkRefreshes);
            var (_, passed) = checks.Verify(download.Content, download.Hash);
            var saved = await UpoArchive.SaveInvoiceUpoAsync(archive, download.Content, cancellationToken).ConfigureAwait(false);
            ledger.UpsertInvoices([Row(type, invoice) with
            {
                UpoFile = Path.GetFileName(saved.Path),
                UpoSha256 = UpoChecks.Sha256(download.Content),
                UpoChecks = passed,
            }]);
            Stats.InvoiceUpo();
            observer.UpoFetched(invoice.KsefNumber ?? invoice.ReferenceNumber);
            return true;
        }
        catch (Exception e) when (e is UpoDownloadException or UpoVerificationException or UpoFormatException or KsefRequestException or UpoArchiveConflictException or ArgumentException or HttpRequestException)
        {
            Stats.Failure();
            ledger.SetInvoiceUpoError(invoice.SessionReferenceNumber, invoice.ReferenceNumber, e.GetType().Name + ": " + e.Message);
            observer.Failed($"UPO of {invoice.KsefNumber ?? invoice.ReferenceNumber}", e.Message);
            return false;
        }
    }

    private async Task<bool> FetchSessionUposAsync(KsefSessionSummary session, CancellationToken cancellationToken)
    {
        var archived = ledger.SessionUpos(session.ReferenceNumber).ToDictionary(u => u.UpoReference, StringComparer.Ordinal);
        KsefSessionResult status;
        try
        {
            status = await sender.GetSessionAsync(session.ReferenceNumber, cancellationToken).ConfigureAwait(false);
        }
        catch (KsefRequestException e)
        {
            Stats.Failure();
            observer.Failed($"status of session {session.ReferenceNumber}", e.Message);
            return false;
        }
        var ok = true;
        foreach (var page in status.UpoPages)
        {
            if (archived.TryGetValue(page.ReferenceNumber, out var row) && row.UpoFile is not null && row.UpoError is null
                && UpoChecks.FileSha256(Path.Combine(archive, row.UpoFile)) == row.UpoSha256)
            {
                Stats.Archived();
                continue;
            }
            try
            {
                var download = await sender.DownloadSessionUpoAsync(session.ReferenceNumber, page, cancellationToken).ConfigureAwait(false);
                Stats.Renewed(download.LinkRefreshes);
                var (_, passed) = checks.Verify(download.Content, download.Hash);
                var saved = await UpoArchive.SaveSessionUpoAsync(archive, page.ReferenceNumber, download.Content, cancellationToken).ConfigureAwait(false);
                ledger.UpsertSessionUpo(new LedgerSessionUpo(session.ReferenceNumber, page.ReferenceNumber, Path.GetFileName(saved.Path), UpoChecks.Sha256(download.Content), passed, null));
                Stats.SessionUpo();
                observer.UpoFetched($"session UPO {page.ReferenceNumber}");
            }
            catch (Exception e) when (e is UpoDownloadException or UpoVerificationException or UpoFormatException or KsefRequestException or UpoArchiveConflictException or ArgumentException or HttpRequestException)
            {
                ok = false;
                Stats.Failure();
                ledger.UpsertSessionUpo(new LedgerSessionUpo(session.ReferenceNumber, page.ReferenceNumber, null, null, null, e.GetType().Name + ": " + e.Message));
                observer.Failed($"session UPO {page.ReferenceNumber}", e.Message);
            }
        }
        return ok;
    }

    /// <summary>Every UPO the ledger holds for a session is in the archive with its recorded hash.</summary>
    private bool Intact(string session) =>
        ledger.Invoices(session).Where(i => i.StatusCode == 200).All(i => i.UpoFile is not null && i.UpoError is null && UpoChecks.FileSha256(Path.Combine(archive, i.UpoFile)) == i.UpoSha256)
        && ledger.SessionUpos(session).All(u => u.UpoFile is not null && UpoChecks.FileSha256(Path.Combine(archive, u.UpoFile)) == u.UpoSha256);

    internal static LedgerInvoice Row(string type, KsefInvoiceResult invoice)
    {
        var advice = invoice.Advice;
        return new LedgerInvoice
        {
            SessionReference = invoice.SessionReferenceNumber,
            InvoiceReference = invoice.ReferenceNumber,
            SessionType = type,
            OrdinalNumber = invoice.OrdinalNumber,
            InvoiceNumber = invoice.InvoiceNumber,
            KsefNumber = invoice.KsefNumber,
            StatusCode = invoice.Code,
            StatusDescription = invoice.Description,
            StatusDetails = invoice.Details.Count == 0 ? null : string.Join(" | ", invoice.Details),
            Action = advice.Action.ToString(),
            Advice = advice.Meaning + ": " + advice.Explanation,
            OriginalKsefNumber = advice.Duplicate?.OriginalKsefNumber,
            OriginalSessionReference = advice.Duplicate?.OriginalSessionReferenceNumber,
            InvoicingDate = invoice.InvoicingDate,
            AcquisitionDate = invoice.AcquisitionDate,
        };
    }

    /// <summary>True when every accepted invoice in the ledger has an archived, verified UPO.</summary>
    public static bool AllAcceptedHaveUpo(Ledger ledger) =>
        ledger.Invoices().Where(i => i.StatusCode == 200).All(i => i.UpoFile is not null && i.UpoError is null);
}
