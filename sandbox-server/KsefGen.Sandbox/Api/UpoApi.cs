using System.Security;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>The three authenticated UPO downloads of "Status wysyłki i UPO", and the unauthenticated storage links.</summary>
internal static class UpoApi
{
    private const string HashHeader = "x-ms-meta-hash";

    /// <summary>Maps GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo, /sessions/{ref}/invoices/{invRef}/upo, /sessions/{ref}/upo/{upoRef}.</summary>
    public static IEndpointRouteBuilder MapUpoApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sessions").WithTags("Status wysyłki i UPO");
        group.MapGet("/{referenceNumber}/invoices/ksef/{ksefNumber}/upo", GetSessionInvoiceUpoByKsefNumber).WithName("GetSessionInvoiceUpoByKsefNumber");
        group.MapGet("/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo", GetSessionInvoiceUpoByReferenceNumber).WithName("GetSessionInvoiceUpoByReferenceNumber");
        group.MapGet("/{referenceNumber}/upo/{upoReferenceNumber}", GetSessionUpo).WithName("GetSessionUpo");
        return routes;
    }

    /// <summary>Maps GET /storage/upo/{token}: the pre-signed download links, fetched without a bearer token.</summary>
    public static IEndpointRouteBuilder MapUpoStorage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/storage/upo/{token}", Download).WithName("DownloadUpo").WithTags("Storage");
        return routes;
    }

    /// <summary>GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo.</summary>
    public static Results<FileContentHttpResult, KsefBadRequest> GetSessionInvoiceUpoByKsefNumber(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber, string ksefNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        var invoice = session!.FindInvoiceByKsefNumber(ksefNumber);
        var body = invoice is null ? null : upo.InvoiceUpo(session, invoice, SendingApi.UpoVersionRequested(http));
        return body is null ? NoUpo(http, $"No UPO for KSeF number {ksefNumber} in session {referenceNumber}.") : Xml(http, body);
    }

    /// <summary>GET /sessions/{ref}/invoices/{invRef}/upo.</summary>
    public static Results<FileContentHttpResult, KsefBadRequest> GetSessionInvoiceUpoByReferenceNumber(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber, string invoiceReferenceNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        var invoice = session!.FindInvoice(invoiceReferenceNumber);
        var body = invoice is null ? null : upo.InvoiceUpo(session, invoice, SendingApi.UpoVersionRequested(http));
        return body is null ? NoUpo(http, $"No UPO for invoice {invoiceReferenceNumber} in session {referenceNumber}.") : Xml(http, body);
    }

    /// <summary>GET /sessions/{ref}/upo/{upoRef}.</summary>
    public static Results<FileContentHttpResult, KsefBadRequest> GetSessionUpo(HttpContext http, Caller caller, SandboxStore store, UpoService upo, string referenceNumber, string upoReferenceNumber)
    {
        if (SessionStatusApi.FindSession(http, caller, store, referenceNumber, out var session) is { } error) return error;
        var body = upo.SessionUpoPage(session!, upoReferenceNumber, SendingApi.UpoVersionRequested(http));
        return body is null ? NoUpo(http, $"No UPO {upoReferenceNumber} for session {referenceNumber}.") : Xml(http, body);
    }

    /// <summary>GET /storage/upo/{token}: 403 with a blob-store XML error when the link is tampered with or expired.</summary>
    public static Results<FileContentHttpResult, NotFound, ContentHttpResult> Download(HttpContext http, SandboxStore store, UpoService upo, string token)
    {
        var target = upo.ReadLink(token, out var problem);
        if (target is not { } link) return StorageError(problem);
        var session = store.FindAnySession(link.Session);
        byte[]? body = null;
        if (session is not null)
        {
            body = link.Kind == "invoice"
                ? session.InvoiceAt(link.Number) is { } invoice ? upo.InvoiceUpo(session, invoice) : null
                : upo.SessionUpoPage(session, link.Number);
        }
        return body is null ? TypedResults.NotFound() : Xml(http, body);
    }

    private static FileContentHttpResult Xml(HttpContext http, byte[] body)
    {
        http.Response.Headers[HashHeader] = UpoService.Hash(body);
        return TypedResults.Bytes(body, "application/xml");
    }

    private static KsefBadRequest NoUpo(HttpContext http, string detail) =>
        KsefErrors.UpoNotFound(http, detail);

    private static ContentHttpResult StorageError(string problem) =>
        SendingApi.StorageError(StatusCodes.Status403Forbidden, "AuthenticationFailed", "Server failed to authenticate the request. " + problem);
}
