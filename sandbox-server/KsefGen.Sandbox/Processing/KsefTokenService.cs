using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>
/// KSeF tokens: generation (only permissions the caller holds; Pending, Active once the sandbox clock passes the
/// authentication delay), and who may see or revoke which token. As on the live server (the official SDK's tests):
/// CredentialsManage manages every token of the context, CredentialsRead reads them all; without either, a caller
/// reads the tokens its own subject generated and may revoke only the token its session authenticated with.
/// </summary>
internal sealed class KsefTokenService(SandboxStore store, SandboxTimeline timeline, TimeProvider clock, SandboxOptions options)
{
    /// <summary>Generates a token; the permissions the caller lacks, when there are any (nothing is generated then).</summary>
    public (KsefTokenRecord? Token, IReadOnlyList<string> Missing) Generate(Caller caller, IReadOnlyList<string> permissions, string description)
    {
        var missing = caller.Has(KsefPermissions.CredentialsManage)
            ? permissions.Where(p => !caller.Has(p)).ToList()
            : [KsefPermissions.CredentialsManage];
        if (missing.Count > 0) return (null, missing);
        var now = clock.GetUtcNow();
        var reference = KsefIdentifiers.NewReferenceNumber(now, "EC", Random.Shared);
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var token = new KsefTokenRecord($"{reference}|nip-{caller.ContextNip}|{secret}", reference, caller.ContextNip)
        {
            Author = caller.Subject,
            Permissions = [.. permissions.Distinct(StringComparer.Ordinal)],
            Description = description,
            Created = now,
            Status = "Pending",
        };
        store.AddKsefToken(token);
        timeline.Schedule(now + options.AuthenticationDelay, _ =>
        {
            if (token.Status == "Pending") token.Status = "Active";
        });
        return (token, []);
    }

    /// <summary>True when the caller may read the token.</summary>
    public bool CanRead(Caller caller, KsefTokenRecord token) =>
        token.ContextNip == caller.ContextNip
        && (caller.Has(KsefPermissions.CredentialsRead) || caller.Has(KsefPermissions.CredentialsManage)
            || (token.Author ?? SubjectIdentifier.Nip(token.ContextNip)) == caller.Subject || IsOwnSessionToken(caller, token));

    /// <summary>True when the caller may revoke the token.</summary>
    public bool CanRevoke(Caller caller, KsefTokenRecord token) =>
        token.ContextNip == caller.ContextNip && (caller.Has(KsefPermissions.CredentialsManage) || IsOwnSessionToken(caller, token));

    /// <summary>Revokes a token: it no longer authenticates (sessions it opened already go on, as on the live server).</summary>
    public static void Revoke(KsefTokenRecord token) => token.Status = "Revoked";

    private bool IsOwnSessionToken(Caller caller, KsefTokenRecord token) =>
        caller.Claims.OperationReference is { } reference && store.FindAuthOperation(reference)?.KsefTokenReference == token.ReferenceNumber;
}
