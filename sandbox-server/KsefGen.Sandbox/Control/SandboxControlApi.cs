using System.Globalization;
using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Control;

/// <summary>A request for a test access token.</summary>
internal sealed record AccessTokenRequest(string? ContextNip);

/// <summary>A test access token.</summary>
internal sealed record AccessTokenResponse(string AccessToken, DateTimeOffset ValidUntil, string ContextNip);

/// <summary>A context, with a KSeF token that authenticates it through /v2/auth/ksef-token (null for a context a fresh NIP's login created).</summary>
internal sealed record ContextInfo(string Nip, string Name, int Sessions, int Invoices, string? KsefToken);

/// <summary>POST /sandbox/reset: start over with the configured seed, or another one.</summary>
internal sealed record ResetRequest(int? Seed);

/// <summary>Forces a status: "next" replaces the outcome of the record's next scheduled step, "now" sets it at once.</summary>
internal sealed record ForceStatusRequest(int? Code, string? Detail, string? When);

/// <summary>The outcome of forcing a status.</summary>
internal sealed record ForceStatusResponse(string ReferenceNumber, int CurrentCode, int ForcedCode, string AppliedWhen);

/// <summary>Switches rate limiting (and answers whether it is on).</summary>
internal sealed record RateLimitSwitch(bool Enabled);

/// <summary>The sandbox clock: its time, and how far it was moved ahead of the machine's.</summary>
internal sealed record ClockResponse(DateTimeOffset Now, TimeSpan Offset);

/// <summary>The outcome of a reset: the seed used and what it seeded.</summary>
internal sealed record ResetResponse(int Seed, int Sessions, int Invoices, IEnumerable<string> Contexts);

/// <summary>Whether rate limits are enforced, and the limits per operation.</summary>
internal sealed record RateLimitsResponse(bool Enabled, IReadOnlyDictionary<string, int?[]> Operations);

/// <summary>Routes under /sandbox that only the sandbox has: shortcuts and levers for CI scripts and tests. No token needed.</summary>
internal static class SandboxControlApi
{
    /// <summary>Maps the /sandbox routes.</summary>
    public static IEndpointRouteBuilder MapSandboxControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox").WithTags("Sandbox control");
        group.MapPost("/access-tokens", IssueAccessToken).WithName("IssueAccessToken")
            .WithSummary("An access token for a seeded context, without the challenge/signature flow.");
        group.MapGet("/contexts", GetContexts).WithName("GetContexts").WithSummary("The seeded contexts and their KSeF tokens.");
        group.MapGet("/upo-certificate", (UpoService upo) => TypedResults.Text(upo.Signer.CertificatePem, "application/x-pem-file"))
            .WithName("GetUpoCertificate").WithSummary("The certificate that signs every UPO (PEM): add it to the client's trust list.");
        group.MapGet("/clock", (SandboxClock clock) => TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset))).WithName("GetClock");
        group.MapPost("/clock/advance", AdvanceClock).WithName("AdvanceClock").WithSummary("Moves the sandbox clock forward by ?seconds=N.");
        group.MapPost("/reset", Reset).WithName("Reset").WithSummary("Reseeds everything (same seed, or {\"seed\": n}); clears faults, limits and the log.");
        group.MapPost("/sessions/{referenceNumber}/status", ForceSession).WithName("ForceSessionStatus");
        group.MapPost("/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/status", ForceInvoice).WithName("ForceInvoiceStatus");
        group.MapGet("/faults", (Faults faults) => TypedResults.Ok(faults.Rules)).WithName("GetFaults");
        group.MapPost("/faults", AddFault).WithName("AddFault").WithSummary("Injects latency, 429, 5xx or an HTML page for matching requests.");
        group.MapDelete("/faults", (Faults faults) =>
        {
            faults.Remove(null);
            return TypedResults.NoContent();
        }).WithName("ClearFaults");
        group.MapDelete("/faults/{id}", Results<NoContent, NotFound> (Faults faults, string id) => faults.Remove(id) ? TypedResults.NoContent() : TypedResults.NotFound()).WithName("RemoveFault");
        group.MapGet("/rate-limits", (RateLimits limits) => TypedResults.Ok(new RateLimitsResponse(limits.Enabled, limits.Limits))).WithName("GetSandboxRateLimits");
        group.MapPut("/rate-limits", SwitchRateLimits).WithName("SwitchSandboxRateLimits");
        group.MapGet("/requests", GetRequests).WithName("GetRequests").WithSummary("The last requests, newest first (?limit=100&path=...).");
        group.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return TypedResults.NoContent();
        }).WithName("ClearRequests");
        return routes;
    }

    /// <summary>POST /sandbox/access-tokens {"contextNip": "..."}.</summary>
    public static Results<Ok<AccessTokenResponse>, KsefBadRequest> IssueAccessToken(HttpContext http, SandboxStore store, AccessTokens tokens, AccessTokenRequest? request)
    {
        var nip = request?.ContextNip;
        if (!KsefGen.Runtime.Nip.IsValid(nip)) return KsefErrors.InvalidInput(http, "contextNip must be a valid NIP.");
        if (!store.HasContext(nip!)) return KsefErrors.InvalidInput(http, $"{nip} is not a context of this sandbox; see GET /sandbox/contexts.");
        var (token, validUntil) = tokens.IssueForOwner(nip!);
        return TypedResults.Ok(new AccessTokenResponse(token, validUntil, nip!));
    }

    /// <summary>POST /sandbox/clock/advance?seconds=N.</summary>
    public static Results<Ok<ClockResponse>, KsefBadRequest> AdvanceClock(HttpContext http, SandboxClock clock, SandboxTimeline timeline, string? seconds)
    {
        if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 10 * 365 * 86400)
        {
            return KsefErrors.InvalidInput(http, "seconds must be a non-negative number.");
        }
        clock.Advance(TimeSpan.FromSeconds(value));
        timeline.RunDue();
        return TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset));
    }

    /// <summary>GET /sandbox/contexts.</summary>
    public static Ok<IEnumerable<ContextInfo>> GetContexts(SandboxStore store) =>
        TypedResults.Ok(store.Contexts.Select(c =>
        {
            var sessions = store.SessionsOf(c.Nip).ToList();
            return new ContextInfo(c.Nip, c.Name, sessions.Count, sessions.Sum(s => s.Invoices.Count), store.KsefTokensOf(c.Nip).FirstOrDefault()?.Token);
        }));

    /// <summary>POST /sandbox/reset.</summary>
    public static Ok<ResetResponse> Reset(HttpContext http, SandboxStore store, SandboxOptions options, SandboxTimeline timeline, Faults faults, RateLimits limits, RequestLog log, ResetRequest? request)
    {
        var seed = request?.Seed ?? options.Seed;
        // Every option the sandbox was started with applies again; only the seed may change.
        var fresh = Seeder.Seed(options.WithSeed(seed));
        timeline.Clear();
        store.ReplaceWith(fresh);
        faults.Remove(null);
        limits.Clear();
        log.Clear();
        var (sessions, invoices) = store.Count();
        return TypedResults.Ok(new ResetResponse(seed, sessions, invoices, store.Contexts.Select(c => c.Nip)));
    }

    /// <summary>POST /sandbox/sessions/{ref}/status {"code": 445, "detail": "...", "when": "next"|"now"}.</summary>
    public static Results<Ok<ForceStatusResponse>, KsefBadRequest> ForceSession(HttpContext http, SandboxStore store, TimeProvider clock, string referenceNumber, ForceStatusRequest? request)
    {
        if (store.FindAnySession(referenceNumber) is not { } session) return KsefErrors.SessionNotFound(http, referenceNumber);
        if (CheckForce(http, request, session: true) is { } error) return error;
        // A session still open or processing has a next step to take the forced code; a finished one changes at once.
        var next = request!.When is null ? session.Status < 200 : request.When.Equals("next", StringComparison.OrdinalIgnoreCase);
        if (next) session.ForcedNext = (request.Code!.Value, request.Detail);
        else SessionProcessor.ApplyNow(session, request.Code!.Value, request.Detail, clock.GetUtcNow());
        return TypedResults.Ok(new ForceStatusResponse(session.ReferenceNumber, session.Status, request.Code!.Value, next ? "next" : "now"));
    }

    /// <summary>POST /sandbox/sessions/{ref}/invoices/{invRef}/status {"code": 450, ...}.</summary>
    public static Results<Ok<ForceStatusResponse>, KsefBadRequest> ForceInvoice(HttpContext http, SandboxStore store, SessionProcessor processor, TimeProvider clock, string referenceNumber, string invoiceReferenceNumber, ForceStatusRequest? request)
    {
        if (store.FindAnySession(referenceNumber) is not { } session) return KsefErrors.SessionNotFound(http, referenceNumber);
        var invoice = session.Invoices.FirstOrDefault(i => i.ReferenceNumber == invoiceReferenceNumber);
        if (invoice is null) return KsefErrors.InvalidInput(http, $"Invoice {invoiceReferenceNumber} was not found in session {referenceNumber}.");
        if (CheckForce(http, request, session: false) is { } error) return error;
        var next = request!.When is null ? invoice.Status < 200 : request.When.Equals("next", StringComparison.OrdinalIgnoreCase);
        if (next) invoice.ForcedNext = (request.Code!.Value, request.Detail);
        else processor.ApplyNow(session, invoice, request.Code!.Value, request.Detail, clock.GetUtcNow());
        return TypedResults.Ok(new ForceStatusResponse(invoice.ReferenceNumber, invoice.Status, request.Code!.Value, next ? "next" : "now"));
    }

    /// <summary>POST /sandbox/faults.</summary>
    public static Results<Created<FaultRule>, KsefBadRequest> AddFault(HttpContext http, Faults faults, FaultRule? rule)
    {
        if (rule is null) return KsefErrors.InvalidInput(http, "The body must be a fault rule: {\"path\": \"/v2/sessions/**\", \"kind\": \"status\", \"status\": 503}.");
        return faults.Add(rule) is { } problem ? KsefErrors.InvalidInput(http, problem) : TypedResults.Created($"/sandbox/faults/{rule.Id}", rule);
    }

    /// <summary>PUT /sandbox/rate-limits {"enabled": false}.</summary>
    public static Results<Ok<RateLimitSwitch>, KsefBadRequest> SwitchRateLimits(HttpContext http, RateLimits limits, RateLimitSwitch? request)
    {
        if (request is null) return KsefErrors.InvalidInput(http, "The body must be {\"enabled\": true|false}.");
        limits.Enabled = request.Enabled;
        limits.Clear();
        return TypedResults.Ok(new RateLimitSwitch(limits.Enabled));
    }

    /// <summary>GET /sandbox/requests?limit=100&amp;path=/v2/sessions.</summary>
    public static Results<Ok<IReadOnlyList<LoggedRequest>>, KsefBadRequest> GetRequests(HttpContext http, RequestLog log, string? limit, string? path)
    {
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > 100_000))
        {
            return KsefErrors.InvalidInput(http, "limit must be 1..100000.");
        }
        return TypedResults.Ok(log.Newest(count, path));
    }

    private static KsefBadRequest? CheckForce(HttpContext http, ForceStatusRequest? request, bool session)
    {
        if (request?.Code is not { } code || code < 100 || code > 999) return KsefErrors.InvalidInput(http, "code must be a status code (100..999).");
        if (request.When is { } when && !when.Equals("next", StringComparison.OrdinalIgnoreCase) && !when.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            return KsefErrors.InvalidInput(http, "when must be next or now.");
        }
        _ = session;
        return null;
    }
}
