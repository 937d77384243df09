using System.Globalization;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.Security;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tag "Pobieranie faktur": invoice metadata queries, one invoice's XML by KSeF number, and asynchronous exports
/// whose encrypted parts are fetched from pre-signed storage links (no bearer token).
/// </summary>
internal static class InvoicesApi
{
    private const string HashHeader = "x-ms-meta-hash";

    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/invoices").WithTags("Pobieranie faktur");
        group.MapPost("/query/metadata", QueryMetadata).WithName("QueryInvoiceMetadata").WithSummary("Metadata of the invoices matching the filters, paged.");
        group.MapGet("/ksef/{ksefNumber}", GetInvoice).WithName("GetInvoice").WithSummary("One invoice's XML, for its seller, buyer and other parties.");
        group.MapPost("/exports", ExportInvoices).WithName("ExportInvoices").WithSummary("Start an encrypted export of the invoices matching the filters.");
        group.MapGet("/exports/{referenceNumber}", GetExportStatus).WithName("GetInvoiceExportStatus").WithSummary("The status of an export, with fresh part links once done.");
        return routes;
    }

    /// <summary>Maps GET /storage/exports/{token}: where export parts are downloaded, without a bearer token.</summary>
    public static IEndpointRouteBuilder MapExportStorage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/storage/exports/{token}", DownloadPart).WithName("DownloadExportPart").WithTags("Storage");
        return routes;
    }

    /// <summary>POST /invoices/query/metadata.</summary>
    public static async Task<Results<BufferedOk<QueryInvoicesMetadataResponse>, KsefBadRequest>> QueryMetadata(
        HttpContext http, Caller caller, ReceivedInvoices invoices, TimeProvider clock, SandboxOptions options,
        [FromQuery] string? sortOrder, [FromQuery] string? pageOffset, [FromQuery] string? pageSize)
    {
        var descending = false;
        if (sortOrder is not null)
        {
            var order = new SortOrder(sortOrder);
            if (!order.IsKnown) return KsefErrors.InvalidInput(http, $"sortOrder must be one of {string.Join(", ", SortOrder.KnownValues)}.");
            descending = order == SortOrder.Desc;
        }
        if (!TryParse(pageOffset, 0, 0, int.MaxValue, out var offset)) return KsefErrors.InvalidInput(http, "pageOffset must be a number ≥ 0.");
        if (!TryParse(pageSize, 10, 10, 250, out var size)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 250.");
        var (filters, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.InvoiceQueryFilters);
        if (failure is not null) return failure;
        if (InvoiceCriteria.Parse(filters, out var problem) is not { } criteria) return KsefErrors.InvalidInput(http, problem);

        var selection = invoices.Select(criteria, caller.ContextNip, clock.GetUtcNow());
        if (selection.FromBeyondHwm) return KsefErrors.RangeBeyondHighWaterMark(http);
        var page = InvoicePage.Cut(selection.Invoices, descending, offset, size, options.InvoiceQueryLimit);
        return BufferedJson.Ok(new QueryInvoicesMetadataResponse
        {
            HasMore = page.HasMore,
            IsTruncated = page.IsTruncated,
            PermanentStorageHwmDate = selection.PermanentStorageHwmDate,
            Invoices = [.. page.Invoices.Select(i => i.ToMetadata())],
        });
    }

    /// <summary>GET /invoices/ksef/{ksefNumber}: the XML for any party of the invoice; to everyone else it does not exist (21164).</summary>
    public static Results<FileContentHttpResult, KsefBadRequest> GetInvoice(HttpContext http, Caller caller, ReceivedInvoices invoices, string ksefNumber)
    {
        if (!KsefGen.Runtime.KsefNumber.IsValid(ksefNumber)) return KsefErrors.InvalidInput(http, "ksefNumber is not a KSeF number.");
        var invoice = invoices.Find(ksefNumber);
        if (invoice is null || !invoice.Facts.IsParty(caller.ContextNip))
        {
            return KsefErrors.InvoiceNotFound(http, ksefNumber);
        }
        var content = invoice.Content;
        http.Response.Headers[HashHeader] = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(content));
        return TypedResults.Bytes(content, "application/xml");
    }

    /// <summary>POST /invoices/exports.</summary>
    public static async Task<Results<Created<ExportInvoicesResponse>, KsefBadRequest>> ExportInvoices(HttpContext http, Caller caller, InvoiceExports exports, SandboxKeys keys, TimeProvider clock)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.InvoiceExportRequest);
        if (failure is not null) return failure;
        if (SendingApi.CheckEncryption(http, keys, request!.Encryption) is { } encryptionError) return encryptionError;
        if (InvoiceCriteria.Parse(request.Filters, out var problem) is not { } criteria) return KsefErrors.InvalidInput(http, problem);
        if (request.CompressionType is { IsKnown: false } compression)
        {
            return KsefErrors.InvalidInput(http, $"compressionType: '{compression.Value}' is not one of {string.Join(", ", CompressionType.KnownValues)}.");
        }
        if (exports.Running(caller.ContextNip, caller.Subject) >= InvoiceExports.MaxRunning)
        {
            return KsefErrors.TooManyRunningExports(http, InvoiceExports.MaxRunning);
        }
        var key = keys.Decrypt(request.Encryption.EncryptedSymmetricKey);
        var export = exports.Start(caller.ContextNip, caller.Subject, criteria, key is { Length: 32 } ? key : null, request.Encryption.InitializationVector,
            tarGz: request.CompressionType == CompressionType.TarGz, onlyMetadata: request.OnlyMetadata == true, clock.GetUtcNow());
        return TypedResults.Created((string?)null, new ExportInvoicesResponse { ReferenceNumber = export.ReferenceNumber });
    }

    /// <summary>GET /invoices/exports/{referenceNumber}: every call issues fresh part links.</summary>
    public static Results<Ok<InvoiceExportStatusResponse>, KsefBadRequest, KsefGone> GetExportStatus(HttpContext http, Caller caller, SandboxStore store, InvoiceExports exports, TimeProvider clock, SandboxOptions options, string referenceNumber)
    {
        if (!KsefGen.Runtime.ReferenceNumber.IsValid(referenceNumber)) return KsefErrors.InvalidInput(http, "referenceNumber is not a reference number.");
        var now = clock.GetUtcNow();
        var export = store.FindExport(caller.ContextNip, referenceNumber);
        if (export is not null && InvoiceExports.IsGone(export, now)) return KsefResults.Gone(http, "Operacja wygasła i nie jest już dostępna.");
        if (export is null) return KsefErrors.ExportNotFound(http);

        var origin = options.PublicOrigin(http.Request);
        var package = export.Package;
        return TypedResults.Ok(new InvoiceExportStatusResponse
        {
            Status = new StatusInfo
            {
                Code = export.Status,
                Description = StatusCatalog.Describe(StatusTable.Export, export.Status),
                Details = export.StatusDetail is null ? null : [export.StatusDetail],
            },
            CompletedDate = export.CompletedDate,
            PackageExpirationDate = export.Status == 200 ? export.PackageExpirationDate : null,
            Package = export.Status != 200 || package is null ? null : new InvoicePackage
            {
                InvoiceCount = package.InvoiceCount,
                Size = package.Size,
                IsTruncated = package.IsTruncated,
                LastIssueDate = package.LastIssueDate,
                LastInvoicingDate = package.LastInvoicingDate,
                LastPermanentStorageDate = package.LastPermanentStorageDate,
                PermanentStorageHwmDate = package.PermanentStorageHwmDate,
                Parts = [.. package.Parts.Select(part =>
                {
                    var (url, expires) = exports.Link(origin, export, part, now);
                    return new InvoicePackagePart
                    {
                        OrdinalNumber = part.OrdinalNumber,
                        PartName = part.Name,
                        Method = "GET",
                        Url = url,
                        PartSize = part.PlainSize,
                        PartHash = part.PlainHash,
                        EncryptedPartSize = part.Encrypted.Length,
                        EncryptedPartHash = part.EncryptedHash,
                        ExpirationDate = expires,
                    };
                })],
            },
        });
    }

    /// <summary>GET /storage/exports/{token}: the encrypted part; 403 with a blob-store XML body for a tampered or expired link.</summary>
    public static Results<FileContentHttpResult, ContentHttpResult> DownloadPart(HttpContext http, InvoiceExports exports, TimeProvider clock, string token)
    {
        var part = exports.ReadLink(token, clock.GetUtcNow(), out var problem);
        if (problem.Length > 0)
        {
            return SendingApi.StorageError(StatusCodes.Status403Forbidden, "AuthenticationFailed", "Server failed to authenticate the request. " + problem);
        }
        if (part is null) return SendingApi.StorageError(StatusCodes.Status404NotFound, "BlobNotFound", "The specified blob does not exist.");
        http.Response.Headers["Content-MD5"] = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(part.Encrypted));
        return TypedResults.Bytes(part.Encrypted, "application/octet-stream");
    }

    private static bool TryParse(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (text is null) return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
