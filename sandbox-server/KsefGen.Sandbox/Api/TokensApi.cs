using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace KsefGen.Sandbox.Api;

/// <summary>The tag "Tokeny KSeF": generate, list, read and revoke KSeF tokens (rules in <see cref="KsefTokenService"/>).</summary>
internal static class TokensApi
{
    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tokens").WithTags("Tokeny KSeF");
        group.MapPost("", Generate).WithName("GenerateToken");
        group.MapGet("", List).WithName("GetTokens");
        group.MapGet("/{referenceNumber}", Get).WithName("GetToken");
        group.MapDelete("/{referenceNumber}", Revoke).WithName("RevokeToken");
        return routes;
    }

    /// <summary>POST /tokens: 202 with the token (Pending until the sandbox activates it).</summary>
    public static async Task<Results<Accepted<GenerateTokenResponse>, KsefBadRequest>> Generate(HttpContext http, Caller caller, KsefTokenService service)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.GenerateTokenRequest);
        if (failure is not null) return failure;
        if (request!.Permissions is not { Count: > 0 } || request.Permissions.Any(p => !p.IsKnown) || string.IsNullOrWhiteSpace(request.Description) || request.Description.Length > 256)
        {
            return KsefErrors.InvalidInput(http, "permissions (known values, at least one) and description (1 to 256 characters) are required.");
        }
        var (token, missing) = service.Generate(caller, [.. request.Permissions.Select(p => p.Value)], request.Description);
        if (token is null) return KsefErrors.PermissionsNotHeld(http, missing);
        return TypedResults.Accepted((string?)null, new GenerateTokenResponse { ReferenceNumber = token.ReferenceNumber, Token = token.Token });
    }

    /// <summary>GET /tokens: the tokens the caller may read, newest first, filtered and paged.</summary>
    public static Results<Ok<QueryTokensResponse>, KsefBadRequest> List(HttpContext http, Caller caller, SandboxStore store, KsefTokenService service, ContinuationTokens pages,
        [FromQuery] string[]? status, [FromQuery] string? description, [FromQuery] string? authorIdentifier, [FromQuery] string? authorIdentifierType,
        [FromQuery] string? pageSize, [FromHeader(Name = "x-continuation-token")] string? continuationToken)
    {
        if (!ContinuationTokens.TryPageSize(pageSize, out var size, max: 100)) return KsefErrors.InvalidInput(http, "pageSize must be a number from 10 to 100.");
        var statuses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in status ?? [])
        {
            var known = AuthenticationTokenStatus.KnownValues.FirstOrDefault(k => string.Equals(k.Value, value, StringComparison.OrdinalIgnoreCase));
            if (!known.IsKnown) return KsefErrors.InvalidInput(http, $"status: '{value}' is not one of {string.Join(", ", AuthenticationTokenStatus.KnownValues)}.");
            statuses.Add(known.Value);
        }
        var scope = string.Join("|", "tokens", caller.ContextNip, caller.Subject.Value, string.Join(",", statuses.Order(StringComparer.Ordinal)), description, authorIdentifier, authorIdentifierType);
        if (pages.OffsetOf(scope, continuationToken) is not { } offset) return KsefErrors.BadContinuationToken(http);
        var matching = store.KsefTokensOf(caller.ContextNip)
            .Where(t => service.CanRead(caller, t))
            .Where(t => statuses.Count == 0 || statuses.Contains(t.Status))
            .Where(t => string.IsNullOrEmpty(description) || t.Description.Contains(description, StringComparison.OrdinalIgnoreCase))
            .Where(t => string.IsNullOrEmpty(authorIdentifier) || Author(t).Value == authorIdentifier)
            .Where(t => string.IsNullOrEmpty(authorIdentifierType) || string.Equals(Author(t).Type, authorIdentifierType, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(t => t.Created)
            .ThenBy(t => t.ReferenceNumber, StringComparer.Ordinal)
            .ToList();
        var items = matching.Skip(offset).Take(size).Select(Item).ToList();
        var next = offset + items.Count < matching.Count ? pages.Next(scope, offset + items.Count) : null;
        return TypedResults.Ok(new QueryTokensResponse { ContinuationToken = next, Tokens = items });
    }

    /// <summary>GET /tokens/{referenceNumber}.</summary>
    public static Results<Ok<TokenStatusResponse>, KsefBadRequest> Get(HttpContext http, Caller caller, SandboxStore store, KsefTokenService service, string referenceNumber)
    {
        if (Find(store, caller, referenceNumber) is not { } token || !service.CanRead(caller, token)) return TokenNotFound(http, referenceNumber);
        var item = Item(token);
        return TypedResults.Ok(new TokenStatusResponse
        {
            ReferenceNumber = item.ReferenceNumber,
            AuthorIdentifier = item.AuthorIdentifier,
            ContextIdentifier = item.ContextIdentifier,
            Description = item.Description,
            RequestedPermissions = item.RequestedPermissions,
            DateCreated = item.DateCreated,
            LastUseDate = item.LastUseDate,
            Status = item.Status,
            StatusDetails = item.StatusDetails,
        });
    }

    /// <summary>DELETE /tokens/{referenceNumber}.</summary>
    public static Results<NoContent, KsefBadRequest, KsefForbidden> Revoke(HttpContext http, Caller caller, SandboxStore store, KsefTokenService service, string referenceNumber)
    {
        if (Find(store, caller, referenceNumber) is not { } token || !service.CanRead(caller, token)) return TokenNotFound(http, referenceNumber);
        if (!service.CanRevoke(caller, token))
        {
            return KsefResults.Forbidden(http, "Revoking another token needs CredentialsManage; without it a session may revoke only the token it authenticated with.");
        }
        KsefTokenService.Revoke(token);
        return TypedResults.NoContent();
    }

    private static KsefTokenRecord? Find(SandboxStore store, Caller caller, string referenceNumber) =>
        store.KsefTokensOf(caller.ContextNip).FirstOrDefault(t => t.ReferenceNumber == referenceNumber);

    private static KsefBadRequest TokenNotFound(HttpContext http, string referenceNumber) =>
        KsefErrors.InvalidInput(http, $"No KSeF token {referenceNumber} in this context.");

    private static SubjectIdentifier Author(KsefTokenRecord token) => token.Author ?? SubjectIdentifier.Nip(token.ContextNip);

    private static QueryTokensResponseItem Item(KsefTokenRecord token) => new()
    {
        ReferenceNumber = token.ReferenceNumber,
        AuthorIdentifier = new TokenAuthorIdentifierTypeIdentifier { Type = new TokenAuthorIdentifierType(Author(token).Type), Value = Author(token).Value },
        ContextIdentifier = new TokenContextIdentifierTypeIdentifier { Type = TokenContextIdentifierType.Nip, Value = token.ContextNip },
        Description = token.Description,
        RequestedPermissions = [.. (token.Permissions ?? KsefPermissions.TokenPermissions).Select(p => new TokenPermissionType(p))],
        DateCreated = token.Created,
        LastUseDate = token.LastUse,
        Status = new AuthenticationTokenStatus(token.Status),
    };
}
