using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KsefGen.Sandbox.State;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KsefGen.Sandbox.Api;

/// <summary>The three kinds of bearer token KSeF hands out, as their "typ" claim names them.</summary>
internal enum TokenKind
{
    /// <summary>The authenticationToken of an authentication operation (for /auth/{ref} and redeem).</summary>
    OperationToken,

    /// <summary>The access token: acts for a context.</summary>
    ContextToken,

    /// <summary>The refresh token: gets new access tokens.</summary>
    RefreshToken,
}

/// <summary>A validated token: its kind, context, authentication operation, subject and permissions.</summary>
internal sealed record TokenClaims(TokenKind Kind, string? ContextNip, string? OperationReference, DateTimeOffset ValidUntil, SubjectIdentifier? Subject, IReadOnlySet<string> Permissions)
{
    /// <summary>True when the token carries the permission.</summary>
    public bool Has(string permission) => Permissions.Contains(permission);
}

/// <summary>
/// Bearer tokens of the sandbox: JWTs (HS256, signed with the sandbox secret) with the claims the live server issues and
/// the official SDK reads — typ, arn (authentication reference), cit/civ (context type and value), aum (method), sud
/// (subject details, JSON), per/pec/rol/pep (permissions, excluded permissions, roles, effective permissions, JSON
/// arrays as strings). Lifetimes follow the sandbox clock; a revoked authentication session's tokens stop working.
/// </summary>
internal sealed class AccessTokens
{
    private const string Issuer = "ksefgen-sandbox";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _validation;
    private readonly TimeProvider _clock;
    private readonly SandboxOptions _options;
    private readonly SandboxStore _store;

    // A token whose signature checked out once stays genuine: remember its claims (expiry and revocation are still
    // checked on every use). JWT validation was most of a status request's cost. Bounded: cleared when it fills up.
    private readonly ConcurrentDictionary<string, TokenClaims> _validated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenClaims>.AlternateLookup<ReadOnlySpan<char>> _validatedByChars;
    private const int ValidatedLimit = 10_000;

    /// <summary>Creates the token service (the key comes from the sandbox secret, random per start when none is set).</summary>
    public AccessTokens(TimeProvider clock, SandboxOptions options, SandboxStore store)
    {
        _clock = clock;
        _options = options;
        _store = store;
        _validatedByChars = _validated.GetAlternateLookup<ReadOnlySpan<char>>();
        var key = new SymmetricSecurityKey(string.IsNullOrEmpty(options.Secret)
            ? RandomNumberGenerator.GetBytes(32)
            : SHA256.HashData(Encoding.UTF8.GetBytes("jwt|" + options.Secret)));
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Issuer,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            // Lifetime is checked against the sandbox clock below, which the virtual clock can move.
            ValidateLifetime = false,
        };
    }

    /// <summary>An access token for the owner of a context without an authentication operation (the CI shortcut).</summary>
    public (string Token, DateTimeOffset ValidUntil) IssueForOwner(string contextNip) =>
        Issue(TokenKind.ContextToken, null, contextNip, SubjectIdentifier.Nip(contextNip), null, "Token", KsefPermissions.Owner, _options.AccessTokenLifetime);

    /// <summary>An access token (or a refresh token) for a successful authentication operation.</summary>
    public (string Token, DateTimeOffset ValidUntil) IssueFor(AuthOperationRecord operation, TokenKind kind) =>
        Issue(kind, operation.ReferenceNumber, operation.ContextNip, operation.Subject, operation.SubjectDetails, operation.Method, operation.Permissions,
            kind == TokenKind.RefreshToken ? _options.RefreshTokenLifetime : _options.AccessTokenLifetime);

    /// <summary>The authenticationToken of an operation (good for its status and for redeeming it).</summary>
    public (string Token, DateTimeOffset ValidUntil) IssueOperationToken(AuthOperationRecord operation, TimeSpan lifetime) =>
        Issue(TokenKind.OperationToken, operation.ReferenceNumber, null, null, null, null, [], lifetime);

    private (string Token, DateTimeOffset ValidUntil) Issue(TokenKind kind, string? operationReference, string? contextNip, SubjectIdentifier? subject,
        SubjectDetails? details, string? method, IReadOnlyList<string> permissions, TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow();
        var validUntil = now + lifetime;
        var claims = new Dictionary<string, object>
        {
            ["typ"] = kind.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (operationReference is not null) claims["arn"] = operationReference;
        if (method is not null) claims["aum"] = method;
        if (contextNip is not null)
        {
            claims["cit"] = "Nip";
            claims["civ"] = contextNip;
            var owner = subject is not null && _store.IsOwner(subject, contextNip);
            claims["per"] = JsonSerializer.Serialize(permissions, SandboxJson.Default.IReadOnlyListString);
            claims["pec"] = "[]";
            claims["pep"] = claims["per"];
            claims["rol"] = owner ? "[\"Owner\"]" : "[]";
        }
        if (subject is not null)
        {
            claims["sud"] = JsonSerializer.Serialize(new TokenSubject(
                new TokenSubjectIdentifier(subject.Type, subject.Value),
                details?.GivenNames ?? [], details?.Surname, details?.SerialNumber, details?.CommonName, details?.CountryName), SandboxJson.Default.TokenSubject);
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = validUntil.UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
        // JWT times have whole seconds; report what the token really says.
        return (token, DateTimeOffset.FromUnixTimeSeconds(validUntil.ToUnixTimeSeconds()));
    }

    /// <summary>The claims of a genuine token of the wanted kind (expiry and revocation not checked here), or null.</summary>
    public async Task<TokenClaims?> ValidateAsync(string? token, TokenKind wanted, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrEmpty(token) || token.Length > 8192) return null;
        if (_validated.TryGetValue(token, out var known))
        {
            return known.Kind == wanted ? known : null;
        }
        var result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return null;
        if (!jwt.TryGetPayloadValue<string>("typ", out var type) || !Enum.TryParse<TokenKind>(type, out var kind)) return null;
        var validUntil = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        jwt.TryGetPayloadValue<string>("civ", out var context);
        jwt.TryGetPayloadValue<string>("arn", out var operation);
        SubjectIdentifier? subject = null;
        if (jwt.TryGetPayloadValue<string>("sud", out var sud) && JsonSerializer.Deserialize(sud, SandboxJson.Default.TokenSubject) is { } details)
        {
            subject = new SubjectIdentifier(details.SubjectIdentifier.Type, details.SubjectIdentifier.Value);
        }
        var permissions = jwt.TryGetPayloadValue<string>("per", out var per)
            ? JsonSerializer.Deserialize(per, SandboxJson.Default.IReadOnlyListString) ?? []
            : [];
        var claims = new TokenClaims(kind, context, operation, validUntil, subject, permissions.ToHashSet(StringComparer.Ordinal));
        if (_validated.Count >= ValidatedLimit) _validated.Clear();
        _validated[token] = claims;
        return kind == wanted ? claims : null;
    }

    /// <summary>Checks the bearer token of a request; null plus a 401 result when it is missing, forged, of another kind, expired or revoked.</summary>
    public ValueTask<(TokenClaims? Claims, KsefUnauthorized? Failure)> AuthenticateAsync(HttpContext http, TokenKind wanted)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header.AsSpan(7).Trim() : [];
        // A token validated before is looked up by the header's characters: no copy of a ~1 KB token per request.
        if (!http.RequestAborted.IsCancellationRequested && !token.IsEmpty && token.Length <= 8192 && _validatedByChars.TryGetValue(token, out var known))
        {
            return new(Check(http, known.Kind == wanted ? known : null, wanted));
        }
        return AuthenticateSlowAsync(http, token.IsEmpty ? null : token.ToString(), wanted);
    }

    private async ValueTask<(TokenClaims? Claims, KsefUnauthorized? Failure)> AuthenticateSlowAsync(HttpContext http, string? token, TokenKind wanted) =>
        Check(http, await ValidateAsync(token, wanted, http.RequestAborted).ConfigureAwait(false), wanted);

    private (TokenClaims? Claims, KsefUnauthorized? Failure) Check(HttpContext http, TokenClaims? claims, TokenKind wanted)
    {
        if (claims is null)
        {
            var what = wanted switch
            {
                TokenKind.OperationToken => "authentication token",
                TokenKind.RefreshToken => "refresh token",
                _ => "access token",
            };
            return (null, KsefResults.Unauthorized(http, $"The {what} is missing or invalid."));
        }
        if (claims.ValidUntil <= _clock.GetUtcNow())
        {
            return (null, KsefResults.Unauthorized(http, string.Create(CultureInfo.InvariantCulture, $"The token expired at {claims.ValidUntil:O}.")));
        }
        // A revoked authentication session's access tokens stop at once; its refresh token is refused by the refresh
        // itself (21301, status 425), as the live server does.
        if (wanted == TokenKind.ContextToken && claims.OperationReference is { } reference && _store.FindAuthOperation(reference) is { Revoked: true })
        {
            return (null, KsefResults.Unauthorized(http, $"The authentication session {reference} was revoked."));
        }
        return (claims, null);
    }
}

/// <summary>The "sud" claim: the subject's identifier and certificate names.</summary>
internal sealed record TokenSubject(TokenSubjectIdentifier SubjectIdentifier, IReadOnlyList<string> GivenNames, string? Surname, string? SerialNumber, string? CommonName, string? CountryName);

/// <summary>The subject identifier inside the "sud" claim.</summary>
internal sealed record TokenSubjectIdentifier(string Type, string Value);

/// <summary>
/// The caller of an authenticated /v2 route, bound as a handler parameter: the access token's context, subject and
/// permissions. The group filter <see cref="RequireAccessToken"/> answers 401 (or 403 for a missing permission) before a
/// handler ever sees a caller without a valid token.
/// </summary>
internal sealed class Caller
{
    private readonly TokenClaims? _claims;

    private Caller(TokenClaims? claims, KsefUnauthorized? failure)
    {
        _claims = claims;
        Failure = failure;
    }

    /// <summary>Why the request is not authenticated, or null.</summary>
    internal KsefUnauthorized? Failure { get; }

    /// <summary>The access token's claims.</summary>
    public TokenClaims Claims => _claims ?? throw new InvalidOperationException("An unauthenticated request reached a handler: the route lacks Caller.RequireAccessToken.");

    /// <summary>The NIP of the context the caller acts for.</summary>
    public string ContextNip => Claims.ContextNip!;

    /// <summary>Who the caller is.</summary>
    public SubjectIdentifier Subject => Claims.Subject ?? SubjectIdentifier.Nip(ContextNip);

    /// <summary>True when the caller's token carries the permission.</summary>
    public bool Has(string permission) => Claims.Has(permission);

    /// <summary>Minimal API binding: the caller of the request (authenticated once per request).</summary>
    public static async ValueTask<Caller> BindAsync(HttpContext http) => await ResolveAsync(http).ConfigureAwait(false);

    /// <summary>The caller when the request was authenticated already (request log, rate limits), else null.</summary>
    public static Caller? Current(HttpContext http) => http.Features.Get<Caller>() is { Failure: null } caller ? caller : null;

    private static async ValueTask<Caller> ResolveAsync(HttpContext http)
    {
        if (http.Features.Get<Caller>() is { } known) return known;
        var (claims, failure) = await http.RequestServices.GetRequiredService<AccessTokens>().AuthenticateAsync(http, TokenKind.ContextToken).ConfigureAwait(false);
        var caller = new Caller(claims, failure);
        http.Features.Set(caller);
        return caller;
    }

    /// <summary>
    /// A group filter: 401 unless the request carries a valid access token; 403 when the operation's
    /// x-required-permissions (from the embedded spec) name permissions of which the token has none.
    /// </summary>
    public static async ValueTask<object?> RequireAccessToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var caller = await ResolveAsync(http).ConfigureAwait(false);
        if (caller.Failure is { } failure) return failure;
        var required = http.RequestServices.GetRequiredService<OperationCatalog>().Of(http)?.RequiredPermissions ?? [];
        if (required.Count > 0 && !required.Any(caller.Has))
        {
            return KsefResults.Forbidden(http, "The caller lacks the permission the operation requires: one of " + string.Join(", ", required) + ".");
        }
        return await next(invocation).ConfigureAwait(false);
    }
}
