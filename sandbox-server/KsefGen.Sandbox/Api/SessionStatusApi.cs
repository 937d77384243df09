using System.Globalization;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Mvc;

namespace KsefGen.Sandbox.Api;

/// <summary>The tag "Status wysyłki i UPO": session list, session status, session invoices (all and failed), one invoice.</summary>
public static class SessionStatusApi
{
    private const string ContinuationHeader = "x-continuation-token";

    /// <summary>Maps the routes under the given group (the /v2 base path).</summary>
    public static IEndpointRouteBuilder MapSessionStatusApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sessions").WithTags("Status wysyłki i UPO");
        group.MapGet("", GetSessions).WithName("GetSessions").WithSummary("List the sessions of the context, newest first.");
        group.MapGet("/{referenceNumber}", GetSessionStatus).WithName("GetSessionStatus").WithSummary("The status of one session.");
        group.MapGet("/{referenceNumber}/invoices", GetSessionInvoices).WithName("GetSessionInvoices").WithSummary("The invoices of a session, paged.");
        group.MapGet("/{referenceNumber}/invoices/failed", GetSessionFailedInvoices).WithName("GetSessionFailedInvoices").WithSummary("The failed invoices of a session, paged.");
        group.MapGet("/{referenceNumber}/invoices/{invoiceReferenceNumber}", GetSessionInvoice).WithName("GetSessionInvoice").WithSummary("The status of one invoice of a session.");
        return routes;
    }

    /// <summary>GET /sessions.</summary>
    public static IResult GetSessions(
        HttpContext http,
        Caller caller,
        SandboxStore store,
        ContinuationTokens pages,
        [FromQuery] string? sessionType,
        [FromQuery] string? pageSize,
        [FromQuery] string? referenceNumber,
        [FromQuery] string? dateCreatedFrom,
        [FromQuery] string? dateCreatedTo,
        [FromQuery] string? dateClosedFrom,
        [FromQuery] string? dateClosedTo,
        [FromQuery] string? dateModifiedFrom,
        [FromQuery] string? dateModifiedTo,
        [FromQuery] string[]? statuses,
        [FromHeader(Name = ContinuationHeader)] string? continuationToken)
    {
        bool batch;
        if (string.Equals(sessionType, "Online", StringComparison.OrdinalIgnoreCase)) batch = false;
        else if (string.Equals(sessionType, "Batch", StringComparison.OrdinalIgnoreCase)) batch = true;
        else return KsefErrors.InvalidInput(http, "sessionType is required and must be Online or Batch.");

        if (!ContinuationTokens.TryPageSize(pageSize, out var size)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 1000.");
        var dates = new DateTimeOffset?[6];
        var dateNames = new[] { nameof(dateCreatedFrom), nameof(dateCreatedTo), nameof(dateClosedFrom), nameof(dateClosedTo), nameof(dateModifiedFrom), nameof(dateModifiedTo) };
        var dateValues = new[] { dateCreatedFrom, dateCreatedTo, dateClosedFrom, dateClosedTo, dateModifiedFrom, dateModifiedTo };
        for (var i = 0; i < dates.Length; i++)
        {
            if (dateValues[i] is null) continue;
            if (!DateTimeOffset.TryParse(dateValues[i], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return KsefErrors.InvalidInput(http, $"{dateNames[i]} is not a date-time.");
            }
            dates[i] = parsed;
        }
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var status in statuses ?? [])
        {
            var known = CommonSessionStatus.KnownValues.FirstOrDefault(k => string.Equals(k.Value, status, StringComparison.OrdinalIgnoreCase));
            if (!known.IsKnown) return KsefErrors.InvalidInput(http, $"statuses: '{status}' is not one of {string.Join(", ", CommonSessionStatus.KnownValues)}.");
            wanted.Add(known.Value);
        }

        var context = caller.ContextNip;
        var scope = string.Join("|", "sessions", context, batch, referenceNumber, string.Join(",", dateValues), string.Join(",", wanted.Order(StringComparer.Ordinal)));
        if (pages.OffsetOf(scope, continuationToken) is not { } offset) return KsefErrors.BadContinuationToken(http);

        var matching = store.SessionsOf(context)
            .Where(s => s.IsBatch == batch && CanSee(caller, s))
            .Where(s => referenceNumber is null || s.ReferenceNumber == referenceNumber)
            .Where(s => In(s.Created, dates[0], dates[1]) && In(s.Closed, dates[2], dates[3]) && In(s.Updated, dates[4], dates[5]))
            .Where(s => wanted.Count == 0 || wanted.Contains(CommonStatus(s.Status).Value))
            .OrderByDescending(s => s.Created)
            .ThenBy(s => s.ReferenceNumber, StringComparer.Ordinal)
            .ToList();

        var page = matching.Skip(offset).Take(size).Select(s => new SessionsQueryResponseItem
        {
            ReferenceNumber = s.ReferenceNumber,
            Status = Status(s),
            DateCreated = s.Created,
            DateUpdated = s.Updated,
            ValidUntil = s.ValidUntil,
            TotalInvoiceCount = s.Invoices.Count,
            SuccessfulInvoiceCount = s.SuccessfulInvoiceCount,
            FailedInvoiceCount = s.FailedInvoiceCount,
        }).ToList();
        var next = offset + page.Count < matching.Count ? pages.Next(scope, offset + page.Count) : null;
        return Results.Ok(new SessionsQueryResponse { ContinuationToken = next, Sessions = page });
    }

    /// <summary>GET /sessions/{referenceNumber}.</summary>
    public static IResult GetSessionStatus(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        return Results.Ok(new SessionStatusResponse
        {
            // Every status call issues fresh links.
            Upo = UpoService.HasSessionUpo(session!)
                ? new UpoResponse
                {
                    Pages = upo.PageReferences(session!).Select(page =>
                    {
                        var (url, expires) = upo.Link(http, "session", session!.ReferenceNumber, page);
                        return new UpoPageResponse { ReferenceNumber = page, DownloadUrl = url, DownloadUrlExpirationDate = expires };
                    }).ToList(),
                }
                : null,
            Status = Status(session!),
            DateCreated = session!.Created,
            DateUpdated = session.Updated,
            ValidUntil = session.ValidUntil,
            // As KSeF fills them: absent until there is something to count; once the session is final, every count is given (0 too).
            InvoiceCount = Counted(session, session.Invoices.Count),
            SuccessfulInvoiceCount = Counted(session, session.SuccessfulInvoiceCount),
            FailedInvoiceCount = Counted(session, session.FailedInvoiceCount),
        });
    }

    private static int? Counted(SessionRecord session, int count) => count > 0 || session.Status >= 200 ? count : null;

    /// <summary>GET /sessions/{referenceNumber}/invoices.</summary>
    public static IResult GetSessionInvoices(
        HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber,
        [FromQuery] string? pageSize, [FromHeader(Name = ContinuationHeader)] string? continuationToken) =>
        InvoicePage(http, caller, store, pages, upo, referenceNumber, pageSize, continuationToken, failedOnly: false);

    /// <summary>GET /sessions/{referenceNumber}/invoices/failed.</summary>
    public static IResult GetSessionFailedInvoices(
        HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber,
        [FromQuery] string? pageSize, [FromHeader(Name = ContinuationHeader)] string? continuationToken) =>
        InvoicePage(http, caller, store, pages, upo, referenceNumber, pageSize, continuationToken, failedOnly: true);

    /// <summary>GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}.</summary>
    public static IResult GetSessionInvoice(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber, string invoiceReferenceNumber)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (!KsefGen.Runtime.ReferenceNumber.IsValid(invoiceReferenceNumber)) return KsefErrors.InvalidInput(http, "invoiceReferenceNumber is not a reference number.");
        var invoice = session!.FindInvoice(invoiceReferenceNumber);
        return invoice is null
            ? KsefErrors.InvalidInput(http, $"Invoice {invoiceReferenceNumber} was not found in session {referenceNumber}.")
            : Results.Ok(Invoice(http, upo, session, invoice));
    }

    private static IResult InvoicePage(HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber, string? pageSize, string? continuationToken, bool failedOnly)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (!ContinuationTokens.TryPageSize(pageSize, out var size)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 1000.");
        var scope = string.Join("|", "invoices", session!.ReferenceNumber, failedOnly ? "failed" : "all");
        if (pages.OffsetOf(scope, continuationToken) is not { } offset) return KsefErrors.BadContinuationToken(http);

        // Invoices are in ordinal order and only ever appended, so an offset stays exact between pages.
        IReadOnlyList<InvoiceRecord> items = failedOnly ? session.FailedInvoices(offset, size + 1) : session.Invoices.Skip(offset).Take(size + 1).ToList();
        var hasMore = items.Count > size;
        var page = items.Take(size).Select(i => Invoice(http, upo, session, i)).ToList();
        return BufferedJson.Ok(new SessionInvoicesResponse
        {
            ContinuationToken = hasMore ? pages.Next(scope, offset + size) : null,
            Invoices = page,
        });
    }

    internal static IResult? FindSession(HttpContext http, Caller caller, SandboxStore store, string referenceNumber, out SessionRecord? session)
    {
        session = null;
        if (!KsefGen.Runtime.ReferenceNumber.IsValid(referenceNumber)) return KsefErrors.InvalidInput(http, "referenceNumber is not a reference number.");
        // A session of another context, or (without Introspection) one somebody else opened, answers exactly like one
        // that does not exist: nothing of it leaks.
        session = store.FindSession(caller.ContextNip, referenceNumber);
        if (session is not null && !CanSee(caller, session)) session = null;
        return session is null ? KsefErrors.SessionNotFound(http, referenceNumber) : null;
    }

    /// <summary>The owner and holders of Introspection see every session of the context; others only those they opened.</summary>
    internal static bool CanSee(Caller caller, SessionRecord session) =>
        caller.Has(KsefPermissions.Introspection) || (session.OpenedBy is not null && session.OpenedBy == caller.Subject);

    private static bool In(DateTimeOffset? value, DateTimeOffset? from, DateTimeOffset? to) =>
        (from is null || value >= from) && (to is null || value <= to) && (value is not null || (from is null && to is null));

    /// <summary>The list filter's view of a session code (the docs do not state it; this is the evident mapping).</summary>
    internal static CommonSessionStatus CommonStatus(int code) => code switch
    {
        < 200 => CommonSessionStatus.InProgress,
        200 => CommonSessionStatus.Succeeded,
        440 => CommonSessionStatus.Cancelled,
        _ => CommonSessionStatus.Failed,
    };

    private static StatusInfo Status(SessionRecord session) => new()
    {
        Code = session.Status,
        Description = StatusCatalog.Describe(StatusTable.Session, session.Status, session.IsBatch),
        Details = session.StatusDetail is null ? null : [session.StatusDetail],
    };

    private static SessionInvoiceStatusResponse Invoice(HttpContext http, UpoService upo, SessionRecord session, InvoiceRecord invoice)
    {
        // Accepted invoices get a fresh UPO link on every call.
        (Uri Url, DateTimeOffset Expires)? link = invoice.Status == 200 ? upo.Link(http, "invoice", session.ReferenceNumber, invoice.ReferenceNumber) : null;
        return new SessionInvoiceStatusResponse
        {
            OrdinalNumber = invoice.OrdinalNumber,
            InvoiceNumber = invoice.InvoiceNumber,
            KsefNumber = invoice.KsefNumber,
            ReferenceNumber = invoice.ReferenceNumber,
            InvoiceHash = invoice.Hash,
            InvoiceFileName = invoice.FileName,
            AcquisitionDate = invoice.AcquisitionDate,
            InvoicingDate = invoice.InvoicingDate,
            PermanentStorageDate = invoice.PermanentStorageDate,
            UpoDownloadUrl = link?.Url,
            UpoDownloadUrlExpirationDate = link?.Expires,
            InvoicingMode = invoice.Offline ? InvoicingMode.Offline : InvoicingMode.Online,
            Status = new InvoiceStatusInfo
            {
                Code = invoice.Status,
                Description = StatusCatalog.Describe(StatusTable.Invoice, invoice.Status),
                Details = invoice.StatusDetail is null ? null : [invoice.StatusDetail],
                Extensions = invoice.OriginalKsefNumber is null ? null : new Dictionary<string, string?>
                {
                    ["originalSessionReferenceNumber"] = invoice.OriginalSessionReferenceNumber,
                    ["originalKsefNumber"] = invoice.OriginalKsefNumber,
                },
            },
        };
    }
}
