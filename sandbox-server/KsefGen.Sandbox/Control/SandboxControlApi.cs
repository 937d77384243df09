using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;

namespace KsefGen.Sandbox.Control;

/// <summary>A request for a test access token.</summary>
public sealed record AccessTokenRequest(string? ContextNip);

/// <summary>A test access token.</summary>
public sealed record AccessTokenResponse(string AccessToken, DateTimeOffset ValidUntil, string ContextNip);

/// <summary>A seeded context.</summary>
public sealed record ContextInfo(string Nip, string Name, int Sessions, int Invoices);

/// <summary>Routes under /sandbox that only the sandbox has: shortcuts for CI scripts and tests.</summary>
public static class SandboxControlApi
{
    /// <summary>Maps the /sandbox routes.</summary>
    public static IEndpointRouteBuilder MapSandboxControlApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox").WithTags("Sandbox control");
        group.MapPost("/access-tokens", IssueAccessToken).WithName("IssueAccessToken")
            .WithSummary("An access token for a seeded context, without the challenge/signature flow.");
        group.MapGet("/contexts", GetContexts).WithName("GetContexts").WithSummary("The seeded contexts.");
        group.MapGet("/upo-certificate", (UpoService upo) => Results.Text(upo.Signer.CertificatePem, "application/x-pem-file"))
            .WithName("GetUpoCertificate").WithSummary("The certificate that signs every UPO (PEM): add it to the client's trust list.");
        group.MapPost("/clock/advance", AdvanceClock).WithName("AdvanceClock").WithSummary("Moves the sandbox clock forward by ?seconds=N.");
        return routes;
    }

    /// <summary>POST /sandbox/access-tokens {"contextNip": "..."}.</summary>
    public static IResult IssueAccessToken(HttpContext http, SandboxStore store, AccessTokens tokens, AccessTokenRequest? request)
    {
        var nip = request?.ContextNip;
        if (!KsefIdentifiers.IsValidNip(nip)) return KsefResults.Invalid(http, "contextNip must be a valid NIP.");
        if (!store.HasContext(nip!)) return KsefResults.Invalid(http, $"{nip} is not a context of this sandbox; see GET /sandbox/contexts.");
        var (token, validUntil) = tokens.Issue(nip!);
        return Results.Ok(new AccessTokenResponse(token, validUntil, nip!));
    }

    /// <summary>POST /sandbox/clock/advance?seconds=N.</summary>
    public static IResult AdvanceClock(HttpContext http, SandboxClock clock, string? seconds)
    {
        if (!double.TryParse(seconds, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0 || value > 10 * 365 * 86400)
        {
            return KsefResults.Invalid(http, "seconds must be a non-negative number.");
        }
        clock.Advance(TimeSpan.FromSeconds(value));
        return Results.Ok(new { now = clock.GetUtcNow(), offset = clock.Offset });
    }

    /// <summary>GET /sandbox/contexts.</summary>
    public static IResult GetContexts(SandboxStore store) =>
        Results.Ok(store.Contexts.Select(c =>
        {
            var sessions = store.SessionsOf(c.Nip).ToList();
            return new ContextInfo(c.Nip, c.Name, sessions.Count, sessions.Sum(s => s.Invoices.Count));
        }));
}
