using System.Buffers;
using System.Globalization;
using System.Text.Json;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace KsefGen.Sandbox.Api;

/// <summary>The tag "Status wysyłki i UPO": session list, session status, session invoices (all and failed), one invoice.</summary>
internal static class SessionStatusApi
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
    public static Results<Ok<SessionsQueryResponse>, KsefBadRequest> GetSessions(
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
        return TypedResults.Ok(new SessionsQueryResponse { ContinuationToken = next, Sessions = page });
    }

    /// <summary>GET /sessions/{referenceNumber}.</summary>
    public static Results<BufferedOk<SessionStatusResponse>, KsefBadRequest> GetSessionStatus(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        // Buffered, sent with Content-Length, as the pages are: streamed (chunked) it cost a third of the request.
        return BufferedJson.Ok(new SessionStatusResponse
        {
            // Every status call issues fresh links.
            Upo = UpoService.HasSessionUpo(session!)
                ? new UpoResponse
                {
                    Pages = upo.PageReferences(session!).Select((page, index) =>
                    {
                        var (url, expires) = upo.Link(http, "session", session!.ReferenceNumber, index + 1);
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
    public static Results<BufferedOk<SessionInvoicesResponse>, KsefBadRequest> GetSessionInvoices(
        HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber,
        [FromQuery] string? pageSize, [FromHeader(Name = ContinuationHeader)] string? continuationToken) =>
        InvoicePage(http, caller, store, pages, upo, referenceNumber, pageSize, continuationToken, failedOnly: false);

    /// <summary>GET /sessions/{referenceNumber}/invoices/failed.</summary>
    public static Results<BufferedOk<SessionInvoicesResponse>, KsefBadRequest> GetSessionFailedInvoices(
        HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber,
        [FromQuery] string? pageSize, [FromHeader(Name = ContinuationHeader)] string? continuationToken) =>
        InvoicePage(http, caller, store, pages, upo, referenceNumber, pageSize, continuationToken, failedOnly: true);

    /// <summary>GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}.</summary>
    public static Results<Ok<SessionInvoiceStatusResponse>, KsefBadRequest> GetSessionInvoice(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber, string invoiceReferenceNumber)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (!KsefGen.Runtime.ReferenceNumber.IsValid(invoiceReferenceNumber)) return KsefErrors.InvalidInput(http, "invoiceReferenceNumber is not a reference number.");
        var invoice = session!.FindInvoice(invoiceReferenceNumber);
        return invoice is null
            ? KsefErrors.InvalidInput(http, $"Invoice {invoiceReferenceNumber} was not found in session {referenceNumber}.")
            : TypedResults.Ok(Invoice(http, upo, session, invoice));
    }

    private static Results<BufferedOk<SessionInvoicesResponse>, KsefBadRequest> InvoicePage(HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, UpoService upo, string referenceNumber, string? pageSize, string? continuationToken, bool failedOnly)
    {
        if (FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        if (!ContinuationTokens.TryPageSize(pageSize, out var size)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 1000.");
        var scope = string.Join("|", "invoices", session!.ReferenceNumber, failedOnly ? "failed" : "all");
        if (pages.OffsetOf(scope, continuationToken) is not { } offset) return KsefErrors.BadContinuationToken(http);

        // Invoices are in ordinal order and only ever appended, so an offset stays exact between pages.
        var (items, start) = failedOnly ? (session.FailedInvoices(offset, size + 1), 0) : (session.Invoices, Math.Min(offset, session.Invoices.Count));
        var hasMore = items.Count - start > size;
        return InvoicePageResult(http, upo, session, items, start, Math.Min(size, items.Count - start), hasMore ? pages.Next(scope, offset + size) : null);
    }

    /// <summary>
    /// The page <c>{ continuationToken, invoices: [...] }</c> of <paramref name="count"/> invoices from
    /// <paramref name="start"/>, written straight from the records: the same bytes as a SessionInvoicesResponse of
    /// <see cref="Invoice"/>s (a test compares them), without those ~100 DTOs and their UPO link strings and Uris, which
    /// were 80 of the 85 KB a 100-invoice page allocated.
    /// </summary>
    internal static BufferedOk<SessionInvoicesResponse> InvoicePageResult(HttpContext http, UpoService upo, SessionRecord session, IReadOnlyList<InvoiceRecord> items, int start, int count, string? continuationToken) =>
        BufferedJson.Ok<SessionInvoicesResponse, InvoicePageBody>(
            new InvoicePageBody(items, start, count, continuationToken, upo.Links(http, "invoice", session.ReferenceNumber)),
            static (writer, page) => page.Write(writer),
            // About 750 bytes per invoice: the buffer is rented large enough at once instead of doubling from 16 KB.
            sizeHint: 1024 * (count + 1));

    private sealed record InvoicePageBody(IReadOnlyList<InvoiceRecord> Items, int Start, int Count, string? ContinuationToken, UpoService.LinkWriter Links)
    {
        // Names and constant values escaped once: the writer otherwise checks every name and value for characters to
        // escape, 17 of them per invoice.
        // Pages up to this size keep their statuses and link MACs on the stack.
        private const int StackItems = 128;

        private static readonly JsonEncodedText ContinuationTokenName = JsonEncodedText.Encode("continuationToken");
        private static readonly JsonEncodedText InvoicesName = JsonEncodedText.Encode("invoices");
        private static readonly JsonEncodedText OrdinalNumberName = JsonEncodedText.Encode("ordinalNumber");
        private static readonly JsonEncodedText InvoiceNumberName = JsonEncodedText.Encode("invoiceNumber");
        private static readonly JsonEncodedText KsefNumberName = JsonEncodedText.Encode("ksefNumber");
        private static readonly JsonEncodedText ReferenceNumberName = JsonEncodedText.Encode("referenceNumber");
        private static readonly JsonEncodedText InvoiceHashName = JsonEncodedText.Encode("invoiceHash");
        private static readonly JsonEncodedText InvoiceFileNameName = JsonEncodedText.Encode("invoiceFileName");
        private static readonly JsonEncodedText AcquisitionDateName = JsonEncodedText.Encode("acquisitionDate");
        private static readonly JsonEncodedText InvoicingDateName = JsonEncodedText.Encode("invoicingDate");
        private static readonly JsonEncodedText PermanentStorageDateName = JsonEncodedText.Encode("permanentStorageDate");
        private static readonly JsonEncodedText UpoDownloadUrlName = JsonEncodedText.Encode("upoDownloadUrl");
        private static readonly JsonEncodedText UpoDownloadUrlExpirationDateName = JsonEncodedText.Encode("upoDownloadUrlExpirationDate");
        private static readonly JsonEncodedText InvoicingModeName = JsonEncodedText.Encode("invoicingMode");
        private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
        private static readonly JsonEncodedText CodeName = JsonEncodedText.Encode("code");
        private static readonly JsonEncodedText DescriptionName = JsonEncodedText.Encode("description");
        private static readonly JsonEncodedText DetailsName = JsonEncodedText.Encode("details");
        private static readonly JsonEncodedText ExtensionsName = JsonEncodedText.Encode("extensions");
        private static readonly JsonEncodedText OriginalSessionReferenceNumberName = JsonEncodedText.Encode("originalSessionReferenceNumber");
        private static readonly JsonEncodedText OriginalKsefNumberName = JsonEncodedText.Encode("originalKsefNumber");
        private static readonly JsonEncodedText Online = JsonEncodedText.Encode(InvoicingMode.Online.Value);
        private static readonly JsonEncodedText Offline = JsonEncodedText.Encode(InvoicingMode.Offline.Value);

        // The description of each three-digit status code, looked up once (at most 900 entries; other
        // codes are described on every use).
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Descriptions = new();

        /// <summary>What SessionInvoicesResponseJsonConverter writes for the DTOs: the same properties, order and omissions.</summary>
        public void Write(Utf8JsonWriter writer)
        {
            // Statuses are read once: processing may change a record meanwhile, and an invoice's link must agree with
            // its code. The links of the accepted ones are signed together, before anything is written.
            int[]? rentedStatuses = null;
            int[]? rentedNumbers = null;
            byte[]? rentedMacs = null;
            try
            {
                var statuses = Count <= StackItems ? stackalloc int[StackItems] : (rentedStatuses = ArrayPool<int>.Shared.Rent(Count));
                var numbers = Count <= StackItems ? stackalloc int[StackItems] : (rentedNumbers = ArrayPool<int>.Shared.Rent(Count));
                var linked = 0;
                for (var i = 0; i < Count; i++)
                {
                    var invoice = Items[Start + i];
                    statuses[i] = invoice.Status;
                    if (statuses[i] == 200) numbers[linked++] = invoice.OrdinalNumber;
                }
                var macLength = linked * LinkMacs.MacLength;
                var macs = Count <= StackItems ? stackalloc byte[StackItems * LinkMacs.MacLength] : (rentedMacs = ArrayPool<byte>.Shared.Rent(macLength));
                Links.Sign(numbers[..linked], macs[..macLength]);

                writer.WriteStartObject();
                if (ContinuationToken is not null) writer.WriteString(ContinuationTokenName, ContinuationToken);
                writer.WriteStartArray(InvoicesName);
                var link = 0;
                for (var i = 0; i < Count; i++)
                {
                    var mac = statuses[i] == 200 ? macs.Slice(link++ * LinkMacs.MacLength, LinkMacs.MacLength) : default;
                    WriteInvoice(writer, Items[Start + i], statuses[i], mac);
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            finally
            {
                if (rentedStatuses is not null) ArrayPool<int>.Shared.Return(rentedStatuses);
                if (rentedNumbers is not null) ArrayPool<int>.Shared.Return(rentedNumbers);
                if (rentedMacs is not null) ArrayPool<byte>.Shared.Return(rentedMacs);
            }
        }

        private void WriteInvoice(Utf8JsonWriter writer, InvoiceRecord invoice, int status, ReadOnlySpan<byte> mac)
        {
            writer.WriteStartObject();
            writer.WriteNumber(OrdinalNumberName, invoice.OrdinalNumber);
            if (invoice.InvoiceNumber is { } number) writer.WriteString(InvoiceNumberName, number);
            if (invoice.KsefNumber is { } ksefNumber) writer.WriteString(KsefNumberName, ksefNumber);
            writer.WriteString(ReferenceNumberName, invoice.ReferenceNumber);
            writer.WriteBase64String(InvoiceHashName, invoice.Hash);
            if (invoice.FileName is { } fileName) writer.WriteString(InvoiceFileNameName, fileName);
            if (invoice.AcquisitionDate is { } acquired) writer.WriteString(AcquisitionDateName, acquired);
            writer.WriteString(InvoicingDateName, invoice.InvoicingDate);
            if (invoice.PermanentStorageDate is { } stored) writer.WriteString(PermanentStorageDateName, stored);
            if (status == 200)
            {
                // Accepted invoices get a fresh UPO link on every call; the links of one page share their expiry.
                Links.Write(writer, UpoDownloadUrlName.EncodedUtf8Bytes, invoice.OrdinalNumber, mac);
                writer.WritePropertyName(UpoDownloadUrlExpirationDateName);
                writer.WriteRawValue(Links.ExpiresJson, skipInputValidation: true);
            }
            writer.WriteString(InvoicingModeName, invoice.Offline ? Offline : Online);
            writer.WriteStartObject(StatusName);
            writer.WriteNumber(CodeName, status);
            // The text, not a pre-encoded JsonEncodedText: the descriptions are Polish, and only the writer's own encoder
            // escapes them exactly as the DTO serializer does.
            writer.WriteString(DescriptionName, status is >= 100 and <= 999
                ? Descriptions.GetOrAdd(status, static code => StatusCatalog.Describe(StatusTable.Invoice, code))
                : StatusCatalog.Describe(StatusTable.Invoice, status));
            if (invoice.StatusDetail is { } detail)
            {
                writer.WriteStartArray(DetailsName);
                writer.WriteStringValue(detail);
                writer.WriteEndArray();
            }
            if (invoice.OriginalKsefNumber is { } originalKsefNumber)
            {
                writer.WriteStartObject(ExtensionsName);
                writer.WriteString(OriginalSessionReferenceNumberName, invoice.OriginalSessionReferenceNumber);
                writer.WriteString(OriginalKsefNumberName, originalKsefNumber);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    internal static KsefBadRequest? FindSession(HttpContext http, Caller caller, SandboxStore store, string referenceNumber, out SessionRecord? session)
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

    internal static SessionInvoiceStatusResponse Invoice(HttpContext http, UpoService upo, SessionRecord session, InvoiceRecord invoice)
    {
        // Accepted invoices get a fresh UPO link on every call.
        (Uri Url, DateTimeOffset Expires)? link = invoice.Status == 200 ? upo.Link(http, "invoice", session.ReferenceNumber, invoice.OrdinalNumber) : null;
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
