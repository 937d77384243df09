using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tag "Limity i ograniczenia": the limits in force for the caller's context and subject, the rate-limit budgets,
/// and the /testdata routes that change or restore them (TEST only on the live server). What is set here is enforced:
/// the session limit on invoices per session and the budgets in <see cref="RateLimits"/>.
/// </summary>
internal static class LimitsApi
{
    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapLimitsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Limity i ograniczenia");
        group.MapGet("/limits/context", ContextLimits).WithName("GetContextLimits");
        group.MapGet("/limits/subject", SubjectLimits).WithName("GetSubjectLimits");
        group.MapGet("/rate-limits", Rates).WithName("GetRateLimits");
        group.MapPost("/testdata/limits/context/session", SetSessionLimits).WithName("SetSessionLimits");
        group.MapDelete("/testdata/limits/context/session", RestoreSessionLimits).WithName("RestoreDefaultSessionLimits");
        group.MapPost("/testdata/limits/subject/certificate", SetCertificateLimits).WithName("SetCertificateLimits");
        group.MapDelete("/testdata/limits/subject/certificate", RestoreCertificateLimits).WithName("RestoreDefaultCertificateLimits");
        group.MapPost("/testdata/rate-limits", SetRates).WithName("SetRateLimits");
        group.MapDelete("/testdata/rate-limits", RestoreRates).WithName("RestoreDefaultRateLimits");
        group.MapPost("/testdata/rate-limits/production", SetProductionRates).WithName("SetProductionRateLimits");
        routes.MapGet("/certificates/limits", CertificateLimits).WithName("GetCertificateLimits").WithTags("Certyfikaty");
        return routes;
    }

    /// <summary>GET /limits/context.</summary>
    public static Ok<EffectiveContextLimits> ContextLimits(Caller caller, SandboxStore store)
    {
        var (online, batch) = store.Limits.SessionsOf(caller.ContextNip);
        return TypedResults.Ok(new EffectiveContextLimits
        {
            OnlineSession = new OnlineSessionEffectiveContextLimits { MaxInvoiceSizeInMB = online.MaxInvoiceSizeInMB, MaxInvoiceWithAttachmentSizeInMB = online.MaxInvoiceWithAttachmentSizeInMB, MaxInvoices = online.MaxInvoices },
            BatchSession = new BatchSessionEffectiveContextLimits { MaxInvoiceSizeInMB = batch.MaxInvoiceSizeInMB, MaxInvoiceWithAttachmentSizeInMB = batch.MaxInvoiceWithAttachmentSizeInMB, MaxInvoices = batch.MaxInvoices },
        });
    }

    /// <summary>GET /limits/subject.</summary>
    public static Ok<EffectiveSubjectLimits> SubjectLimits(Caller caller, SandboxStore store)
    {
        var (certificates, enrollments) = store.Limits.CertificatesOf(caller.Subject);
        return TypedResults.Ok(new EffectiveSubjectLimits
        {
            Certificate = new CertificateEffectiveSubjectLimits { MaxCertificates = certificates },
            Enrollment = new EnrollmentEffectiveSubjectLimits { MaxEnrollments = enrollments },
        });
    }

    /// <summary>GET /certificates/limits: the subject's limits; nothing is used (the sandbox issues no KSeF certificates).</summary>
    public static Ok<CertificateLimitsResponse> CertificateLimits(Caller caller, SandboxStore store)
    {
        var (certificates, enrollments) = store.Limits.CertificatesOf(caller.Subject);
        return TypedResults.Ok(new CertificateLimitsResponse
        {
            CanRequest = true,
            Certificate = new CertificateLimit { Limit = certificates, Remaining = certificates },
            Enrollment = new CertificateLimit { Limit = enrollments, Remaining = enrollments },
        });
    }

    /// <summary>GET /rate-limits: the budgets in force for the context.</summary>
    public static Ok<EffectiveApiRateLimits> Rates(Caller caller, SandboxStore store)
    {
        var rates = store.Limits.RatesOf(caller.ContextNip);
        EffectiveApiRateLimitValues V(string group) => new() { PerSecond = rates[group].PerSecond, PerMinute = rates[group].PerMinute, PerHour = rates[group].PerHour };
        return TypedResults.Ok(new EffectiveApiRateLimits
        {
            OnlineSession = V("onlineSession"),
            BatchSession = V("batchSession"),
            InvoiceSend = V("invoiceSend"),
            InvoiceStatus = V("invoiceStatus"),
            SessionList = V("sessionList"),
            SessionInvoiceList = V("sessionInvoiceList"),
            SessionMisc = V("sessionMisc"),
            InvoiceMetadata = V("invoiceMetadata"),
            InvoiceExport = V("invoiceExport"),
            InvoiceExportStatus = V("invoiceExportStatus"),
            InvoiceDownload = V("invoiceDownload"),
            Other = V("other"),
        });
    }

    /// <summary>POST /testdata/limits/context/session.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> SetSessionLimits(HttpContext http, Caller caller, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SetSessionLimitsRequest);
        if (failure is not null) return failure;
        if (request!.OnlineSession is not { } online || request.BatchSession is not { } batch
            || new[] { online.MaxInvoices, online.MaxInvoiceSizeInMB, online.MaxInvoiceWithAttachmentSizeInMB, batch.MaxInvoices, batch.MaxInvoiceSizeInMB, batch.MaxInvoiceWithAttachmentSizeInMB }.Any(v => v < 1))
        {
            return KsefErrors.InvalidInput(http, "onlineSession and batchSession need maxInvoices, maxInvoiceSizeInMB and maxInvoiceWithAttachmentSizeInMB of at least 1.");
        }
        store.Limits.SetSessions(caller.ContextNip,
            new SessionLimits(online.MaxInvoiceSizeInMB, online.MaxInvoiceWithAttachmentSizeInMB, online.MaxInvoices),
            new SessionLimits(batch.MaxInvoiceSizeInMB, batch.MaxInvoiceWithAttachmentSizeInMB, batch.MaxInvoices));
        return TypedResults.Ok();
    }

    /// <summary>DELETE /testdata/limits/context/session.</summary>
    public static Ok RestoreSessionLimits(Caller caller, SandboxStore store)
    {
        store.Limits.RestoreSessions(caller.ContextNip);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/limits/subject/certificate.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> SetCertificateLimits(HttpContext http, Caller caller, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SetSubjectLimitsRequest);
        if (failure is not null) return failure;
        var (certificates, enrollments) = store.Limits.CertificatesOf(caller.Subject);
        var newCertificates = request!.Certificate?.MaxCertificates ?? certificates;
        var newEnrollments = request.Enrollment?.MaxEnrollments ?? enrollments;
        if (newCertificates < 0 || newEnrollments < 0) return KsefErrors.InvalidInput(http, "maxCertificates and maxEnrollments cannot be negative.");
        store.Limits.SetCertificates(caller.Subject, newCertificates, newEnrollments);
        return TypedResults.Ok();
    }

    /// <summary>DELETE /testdata/limits/subject/certificate.</summary>
    public static Ok RestoreCertificateLimits(Caller caller, SandboxStore store)
    {
        store.Limits.RestoreCertificates(caller.Subject);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/rate-limits: every budget, each value at least 1 (21405 otherwise).</summary>
    public static async Task<Results<Ok, KsefBadRequest>> SetRates(HttpContext http, Caller caller, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SetRateLimitsRequest);
        if (failure is not null) return failure;
        var set = request!.RateLimits;
        var given = new Dictionary<string, ApiRateLimitValuesOverride?>(StringComparer.Ordinal)
        {
            ["onlineSession"] = set?.OnlineSession, ["batchSession"] = set?.BatchSession, ["invoiceSend"] = set?.InvoiceSend,
            ["invoiceStatus"] = set?.InvoiceStatus, ["sessionList"] = set?.SessionList, ["sessionInvoiceList"] = set?.SessionInvoiceList,
            ["sessionMisc"] = set?.SessionMisc, ["invoiceMetadata"] = set?.InvoiceMetadata, ["invoiceExport"] = set?.InvoiceExport,
            ["invoiceExportStatus"] = set?.InvoiceExportStatus, ["invoiceDownload"] = set?.InvoiceDownload, ["other"] = set?.Other,
        };
        var wrong = given.Where(g => g.Value is null || g.Value.PerSecond < 1 || g.Value.PerMinute < 1 || g.Value.PerHour < 1).Select(g => g.Key).ToList();
        if (wrong.Count > 0) return KsefErrors.InvalidInput(http, "rateLimits needs every budget with perSecond, perMinute and perHour of at least 1: " + string.Join(", ", wrong) + ".");
        store.Limits.SetRates(caller.ContextNip, given.ToDictionary(g => g.Key, g => new RateValues(g.Value!.PerSecond, g.Value.PerMinute, g.Value.PerHour), StringComparer.Ordinal));
        return TypedResults.Ok();
    }

    /// <summary>DELETE /testdata/rate-limits.</summary>
    public static Ok RestoreRates(Caller caller, SandboxStore store)
    {
        store.Limits.RestoreRates(caller.ContextNip);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/rate-limits/production: the production budgets (the documented defaults in the sandbox).</summary>
    public static Ok SetProductionRates(Caller caller, SandboxStore store)
    {
        store.Limits.SetRates(caller.ContextNip, LimitSettings.DefaultRates);
        return TypedResults.Ok();
    }
}
