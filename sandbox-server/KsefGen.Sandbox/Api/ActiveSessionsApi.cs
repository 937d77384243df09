using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tag "Aktywne sesje": the context's authentication sessions (redeemed, not revoked, refresh token still valid),
/// revoking the caller's own session (with its access or its refresh token) or any session of the context by
/// reference. A revoked session's status becomes 425: its access tokens answer 401 and its refresh token 21301.
/// </summary>
internal static class ActiveSessionsApi
{
    /// <summary>Maps the routes: /current on the open /v2 group (it takes a refresh token too), the rest where an access token is required.</summary>
    public static IEndpointRouteBuilder MapActiveSessionsApi(this IEndpointRouteBuilder withAccessToken, IEndpointRouteBuilder open)
    {
        // The caller may name its own session with the refresh token too (the official SDK's tests do).
        open.MapDelete("/auth/sessions/current", RevokeCurrent).WithName("RevokeCurrentSession").WithTags("Aktywne sesje");
        var group = withAccessToken.MapGroup("/auth/sessions").WithTags("Aktywne sesje");
        group.MapGet("", List).WithName("GetActiveSessions");
        group.MapDelete("/{referenceNumber}", Revoke).WithName("RevokeSession");
        return withAccessToken;
    }

    /// <summary>GET /auth/sessions.</summary>
    public static Results<Ok<AuthenticationListResponse>, KsefBadRequest> List(HttpContext http, Caller caller, SandboxStore store, ContinuationTokens pages, TimeProvider clock,
        [FromQuery] string? pageSize, [FromHeader(Name = "x-continuation-token")] string? continuationToken)
    {
        if (!ContinuationTokens.TryPageSize(pageSize, out var size, max: 100)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 100.");
        var scope = "auth-sessions|" + caller.ContextNip;
        if (pages.OffsetOf(scope, continuationToken) is not { } offset) return KsefErrors.BadContinuationToken(http);
        var now = clock.GetUtcNow();
        var active = store.AuthOperationsOf(caller.ContextNip)
            .Where(o => o.IsTokenRedeemed && !o.Revoked && o.RefreshTokenValidUntil > now)
            .OrderByDescending(o => o.Started)
            .ThenBy(o => o.ReferenceNumber, StringComparer.Ordinal)
            .ToList();
        var items = active.Skip(offset).Take(size).Select(o => new AuthenticationListItem
        {
            ReferenceNumber = o.ReferenceNumber,
            StartDate = o.Started,
#pragma warning disable CS0618 // deprecated in the spec, still sent
            AuthenticationMethod = AuthApi.MethodOf(o),
#pragma warning restore CS0618
            AuthenticationMethodInfo = AuthApi.MethodInfoOf(o),
            Status = AuthApi.StatusOf(o),
            IsTokenRedeemed = o.IsTokenRedeemed,
            LastTokenRefreshDate = o.LastTokenRefreshDate,
            RefreshTokenValidUntil = o.RefreshTokenValidUntil,
            IsCurrent = o.ReferenceNumber == caller.Claims.OperationReference,
        }).ToList();
        var next = offset + items.Count < active.Count ? pages.Next(scope, offset + items.Count) : null;
        return TypedResults.Ok(new AuthenticationListResponse { ContinuationToken = next, Items = items });
    }

    /// <summary>DELETE /auth/sessions/current, with the session's access token or its refresh token.</summary>
    public static async Task<Results<NoContent, KsefUnauthorized>> RevokeCurrent(HttpContext http, SandboxStore store, AccessTokens tokens)
    {
        var (claims, failure) = await tokens.AuthenticateAsync(http, TokenKind.ContextToken);
        if (claims is null)
        {
            var (refresh, _) = await tokens.AuthenticateAsync(http, TokenKind.RefreshToken);
            if (refresh is null) return failure!;
            claims = refresh;
        }
        if (claims.OperationReference is { } reference && store.FindAuthOperation(reference) is { } operation) MarkRevoked(operation);
        return TypedResults.NoContent();
    }

    /// <summary>DELETE /auth/sessions/{referenceNumber}: any session of the caller's context.</summary>
    public static Results<NoContent, KsefBadRequest> Revoke(HttpContext http, Caller caller, SandboxStore store, string referenceNumber)
    {
        if (store.FindAuthOperation(referenceNumber) is not { } operation || operation.ContextNip != caller.ContextNip)
        {
            return KsefErrors.InvalidInput(http, $"No authentication session {referenceNumber} in this context.");
        }
        MarkRevoked(operation);
        return TypedResults.NoContent();
    }

    private static void MarkRevoked(AuthOperationRecord operation)
    {
        operation.Status = 425;
        operation.StatusDetail = null;
    }
}
