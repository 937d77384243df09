using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KsefGen.Sandbox.Api;

/// <summary>The three kinds of bearer token KSeF hands out, as their "token-type" claim names them.</summary>
public enum TokenKind
{
    /// <summary>The authenticationToken of an authentication operation (for /auth/{ref} and redeem).</summary>
    OperationToken,

    /// <summary>The access token: acts for a context.</summary>
    ContextToken,

    /// <summary>The refresh token: gets new access tokens.</summary>
    RefreshToken,
}

/// <summary>A validated token: its kind, context and authentication operation.</summary>
public sealed record TokenClaims(TokenKind Kind, string? ContextNip, string? OperationReference, DateTimeOffset ValidUntil);

/// <summary>
/// Bearer tokens of the sandbox: JWTs (HS256, signed with the sandbox secret) with the claims the official tokens
/// carry (token-type, context-identifier-type/-value, operation-reference-number), so that clients which read "exp"
/// work as they would against KSeF. Lifetimes follow the sandbox clock.
/// </summary>
public sealed class AccessTokens
{
    private const string Issuer = "ksefgen-sandbox";
    private const string ContextKey = "ksef.context";
    private const string ClaimsKey = "ksef.claims";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _validation;
    private readonly TimeProvider _clock;
    private readonly SandboxOptions _options;

    // A token whose signature checked out once stays genuine: remember its claims (the expiry is still checked against
    // the clock on every use). JWT validation was most of a status request's cost. Bounded: cleared when it fills up.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TokenClaims> _validated = new(StringComparer.Ordinal);
    private const int ValidatedLimit = 10_000;

    /// <summary>Creates the token service (the key comes from the sandbox secret, random per start when none is set).</summary>
    public AccessTokens(TimeProvider clock, SandboxOptions options)
    {
        _clock = clock;
        _options = options;
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

    /// <summary>Issues an access token for a context (the CI shortcut and /auth/token/redeem).</summary>
    public (string Token, DateTimeOffset ValidUntil) Issue(string contextNip, string? operationReference = null) =>
        Issue(TokenKind.ContextToken, contextNip, operationReference, _options.AccessTokenLifetime);

    /// <summary>Issues a token of any kind.</summary>
    public (string Token, DateTimeOffset ValidUntil) Issue(TokenKind kind, string? contextNip, string? operationReference, TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow();
        var validUntil = now + lifetime;
        var claims = new Dictionary<string, object>
        {
            ["token-type"] = kind.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (contextNip is not null)
        {
            claims["context-identifier-type"] = "Nip";
            claims["context-identifier-value"] = contextNip;
        }
        if (operationReference is not null) claims["operation-reference-number"] = operationReference;
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

    /// <summary>The claims of a valid, unexpired token of the wanted kind, or null with the reason.</summary>
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
        if (!jwt.TryGetPayloadValue<string>("token-type", out var type) || !Enum.TryParse<TokenKind>(type, out var kind)) return null;
        var validUntil = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        jwt.TryGetPayloadValue<string>("context-identifier-value", out var context);
        jwt.TryGetPayloadValue<string>("operation-reference-number", out var operation);
        var claims = new TokenClaims(kind, context, operation, validUntil);
        if (_validated.Count >= ValidatedLimit) _validated.Clear();
        _validated[token] = claims;
        return kind == wanted ? claims : null;
    }

    /// <summary>Checks the bearer token of a request; null plus a 401 result when it is missing, forged, of another kind or expired.</summary>
    public async Task<(TokenClaims? Claims, IResult? Failure)> AuthenticateAsync(HttpContext http, TokenKind wanted)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var claims = await ValidateAsync(token, wanted, http.RequestAborted).ConfigureAwait(false);
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
        return (claims, null);
    }

    /// <summary>An endpoint filter: 401 problem details unless the request carries a valid access token.</summary>
    public static async ValueTask<object?> RequireContext(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var (claims, failure) = await http.RequestServices.GetRequiredService<AccessTokens>().AuthenticateAsync(http, TokenKind.ContextToken);
        if (failure is not null) return failure;
        http.Items[ContextKey] = claims!.ContextNip;
        http.Items[ClaimsKey] = claims;
        return await next(invocation);
    }

    /// <summary>The claims of the access token of the current request (set by <see cref="RequireContext"/>).</summary>
    public static TokenClaims ClaimsOf(HttpContext http) => (TokenClaims)http.Items[ClaimsKey]!;

    /// <summary>The context NIP the current request acts for (set by <see cref="RequireContext"/>).</summary>
    public static string ContextOf(HttpContext http) => (string)http.Items[ContextKey]!;

    /// <summary>The context NIP the request acts for, when it was authenticated (for the request log and rate limits).</summary>
    public static string? TryContextOf(HttpContext http) => http.Items.TryGetValue(ContextKey, out var value) ? value as string : null;
}
