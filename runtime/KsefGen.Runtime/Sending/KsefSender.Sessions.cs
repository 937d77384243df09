using System.Globalization;
using System.Runtime.CompilerServices;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Paging;

namespace KsefGen.Runtime.Sending;

/// <summary>The kind of a session (<c>sessionType</c> of <c>GET /sessions</c>).</summary>
public enum KsefSessionType
{
    /// <summary>An interactive session: invoices sent one by one.</summary>
    Online = 1,

    /// <summary>A batch session: invoices sent as an encrypted package.</summary>
    Batch,
}

/// <summary>One session of the context as <c>GET /sessions</c> lists it.</summary>
public sealed record KsefSessionSummary
{
    /// <summary>The session's reference number.</summary>
    public required string ReferenceNumber { get; init; }

    /// <summary>Online or batch.</summary>
    public required KsefSessionType Type { get; init; }

    /// <summary>The session status code (100, 150, 170, 200, 4xx, 5xx).</summary>
    public required int Code { get; init; }

    /// <summary>The status description as KSeF sent it.</summary>
    public string? Description { get; init; }

    /// <summary>The status details.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>When the session was opened.</summary>
    public DateTimeOffset? DateCreated { get; init; }

    /// <summary>When its status last changed.</summary>
    public DateTimeOffset? DateUpdated { get; init; }

    /// <summary>How many invoices it holds.</summary>
    public int? TotalInvoiceCount { get; init; }

    /// <summary>How many were accepted.</summary>
    public int? SuccessfulInvoiceCount { get; init; }

    /// <summary>How many were rejected.</summary>
    public int? FailedInvoiceCount { get; init; }

    /// <summary>What the session code means and what to do.</summary>
    public Status.KsefStatusAdvice Advice => Status.KsefStatusAdvisor.ForSession(Code);
}

public sealed partial class KsefSender
{
    /// <summary>
    /// Every session of the context of one type, newest first, each exactly once (<c>GET /sessions</c>, all pages through
    /// continuation tokens), optionally only those created in a time range.
    /// </summary>
    /// <param name="type">Online or batch (KSeF lists one type at a time).</param>
    /// <param name="createdFrom">Only sessions created at or after this instant (<c>dateCreatedFrom</c>).</param>
    /// <param name="createdTo">Only sessions created at or before this instant (<c>dateCreatedTo</c>).</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The sessions.</returns>
    public async IAsyncEnumerable<KsefSessionSummary> ListSessionsAsync(KsefSessionType type, DateTimeOffset? createdFrom, DateTimeOffset? createdTo,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"sessions?sessionType={type}&pageSize={Math.Clamp(_options.InvoicePageSize, 10, 1000)}");
        if (createdFrom is { } from) path += "&dateCreatedFrom=" + Uri.EscapeDataString(from.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (createdTo is { } to) path += "&dateCreatedTo=" + Uri.EscapeDataString(to.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        var items = KsefPager.ItemsByContinuationToken(
            (token, ct) => _calls.GetPageAsync(path, token, KsefWireJson.Default.WireSessions, ct),
            r => r.Sessions, r => r.ContinuationToken, cancellationToken: cancellationToken);
        await foreach (var s in items.ConfigureAwait(false))
        {
            yield return new KsefSessionSummary
            {
                ReferenceNumber = s.ReferenceNumber,
                Type = type,
                Code = s.Status.Code,
                Description = s.Status.Description,
                Details = s.Status.Details ?? [],
                DateCreated = s.DateCreated,
                DateUpdated = s.DateUpdated,
                TotalInvoiceCount = s.TotalInvoiceCount,
                SuccessfulInvoiceCount = s.SuccessfulInvoiceCount,
                FailedInvoiceCount = s.FailedInvoiceCount,
            };
        }
    }

    /// <summary>
    /// A session's current status, once, without waiting (<c>GET /sessions/{referenceNumber}</c>): its code, counts and
    /// UPO pages with fresh links. <see cref="KsefSessionResult.Invoices"/> is empty; list them with
    /// <see cref="ListSessionInvoicesAsync"/>.
    /// </summary>
    /// <param name="sessionReferenceNumber">The session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    public async Task<KsefSessionResult> GetSessionAsync(string sessionReferenceNumber, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionReferenceNumber);
        var session = await _calls.GetAsync($"sessions/{Uri.EscapeDataString(sessionReferenceNumber)}", KsefWireJson.Default.WireSessionStatus, null, cancellationToken).ConfigureAwait(false);
        return SessionResult(sessionReferenceNumber, session, []);
    }
}
