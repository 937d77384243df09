using System.Globalization;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Api;

/// <summary>Bearer access tokens of the sandbox: which context a request acts for.</summary>
public sealed class AccessTokens(SignedTokens tokens, TimeProvider clock, SandboxOptions options)
{
    private const string Purpose = "access-token";
    private const string ContextKey = "ksef.context";

    /// <summary>Issues an access token for a context.</summary>
    public (string Token, DateTimeOffset ValidUntil) Issue(string contextNip)
    {
        var validUntil = clock.GetUtcNow() + options.AccessTokenLifetime;
        return (tokens.Protect(Purpose, contextNip + "|" + validUntil.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)), validUntil);
    }

    /// <summary>The context of a valid, unexpired token, or null with the reason.</summary>
    public string? Validate(string? token, out string reason)
    {
        var payload = tokens.Unprotect(Purpose, token);
        var bar = payload?.IndexOf('|') ?? -1;
        if (payload is null || bar <= 0 || !long.TryParse(payload.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            reason = "The access token is missing or invalid.";
            return null;
        }
        if (DateTimeOffset.FromUnixTimeMilliseconds(expires) <= clock.GetUtcNow())
        {
            reason = "The access token has expired.";
            return null;
        }
        reason = "";
        return payload[..bar];
    }

    /// <summary>An endpoint filter: 401 problem details unless the request carries a valid bearer token.</summary>
    public static async ValueTask<object?> RequireContext(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var context = http.RequestServices.GetRequiredService<AccessTokens>().Validate(token, out var reason);
        if (context is null) return KsefResults.Unauthorized(http, reason);
        http.Items[ContextKey] = context;
        return await next(invocation);
    }

    /// <summary>The context NIP the current request acts for (set by <see cref="RequireContext"/>).</summary>
    public static string ContextOf(HttpContext http) => (string)http.Items[ContextKey]!;
}
