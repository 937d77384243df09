using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.Security;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tag "Uzyskiwanie dostępu": challenge, KSeF-token and XAdES authentication, the operation status, redeeming the
/// tokens once, and refreshing the access token. Authentication finishes on the sandbox clock after
/// <see cref="SandboxOptions.AuthenticationDelay"/>.
/// </summary>
internal static class AuthApi
{
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan OperationTokenLifetime = TimeSpan.FromSeconds(2700);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/auth").WithTags("Uzyskiwanie dostępu");
        group.MapPost("/challenge", Challenge).WithName("CreateAuthenticationChallenge");
        group.MapPost("/ksef-token", KsefToken).WithName("AuthenticateWithKsefToken");
        group.MapPost("/xades-signature", XadesSignature).WithName("AuthenticateWithXadesSignature");
        group.MapGet("/{referenceNumber}", Status).WithName("GetAuthenticationStatus");
        group.MapPost("/token/redeem", Redeem).WithName("RedeemTokens");
        group.MapPost("/token/refresh", Refresh).WithName("RefreshAccessToken");
        routes.MapGet("/security/public-key-certificates", PublicKeyCertificates).WithName("GetPublicKeyCertificates").WithTags("Certyfikaty klucza publicznego");
        return routes;
    }

    /// <summary>POST /auth/challenge.</summary>
    public static Ok<AuthenticationChallengeResponse> Challenge(HttpContext http, SandboxStore store, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var challenge = KsefIdentifiers.NewReferenceNumber(now, "CR", Random.Shared);
        // The challenge remembers its timestamp: a KSeF token must be encrypted together with exactly that value.
        var milliseconds = now.ToUnixTimeMilliseconds();
        store.AddChallenge(challenge, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
        return TypedResults.Ok(new AuthenticationChallengeResponse
        {
            Challenge = challenge,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds),
            TimestampMs = milliseconds,
            ClientIp = http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
        });
    }

    /// <summary>POST /auth/ksef-token: 202 with an operation; whether the token was right shows in the status (450 if not).</summary>
    public static async Task<Results<Accepted<AuthenticationInitResponse>, KsefBadRequest>> KsefToken(HttpContext http, SandboxStore store, SandboxKeys keys, AccessTokens tokens, SandboxTimeline timeline, TimeProvider clock, SandboxOptions options)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.InitTokenAuthenticationRequest);
        if (failure is not null) return failure;
        if (string.IsNullOrEmpty(request!.Challenge) || request.ContextIdentifier is null || string.IsNullOrEmpty(request.ContextIdentifier.Value) || request.EncryptedToken is null)
        {
            return KsefErrors.InvalidInput(http, "challenge, contextIdentifier and encryptedToken are required.");
        }
        if (request.ContextIdentifier.Type != AuthenticationContextIdentifierType.Nip)
        {
            return KsefErrors.InvalidInput(http, $"The sandbox has Nip contexts only, not {request.ContextIdentifier.Type}.");
        }
        if (request.PublicKeyId is { } keyId && !keys.Knows(keyId))
        {
            return KsefErrors.UnknownKey(http, keyId);
        }
        var now = clock.GetUtcNow();
        if (store.TakeChallenge(request.Challenge) is not { } issued || now - issued > ChallengeLifetime)
        {
            return KsefErrors.InvalidChallenge(http);
        }

        // Decide the outcome now; it shows in the status after the configured delay.
        var plain = keys.Decrypt(request.EncryptedToken);
        var text = plain is null ? null : Encoding.UTF8.GetString(plain);
        var bar = text?.LastIndexOf('|') ?? -1;
        var found = bar > 0 ? store.FindKsefToken(text![..bar]) : null;
        var token = found is { Status: "Active" } ? found : null;
        (int Code, int Detail) outcome;
        if (found is { Status: "Revoked" or "Revoking" }) outcome = (450, 3);
        else if (found is { Status: "Pending" or "Failed" }) outcome = (450, 4);
        else if (plain is null || token is null) outcome = (450, 1);
        else if (!long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var stamp) || stamp != issued.ToUnixTimeMilliseconds()) outcome = (450, 2);
        else if (token.ContextNip != request.ContextIdentifier.Value) outcome = (415, 0);
        else if (store.IsBlocked(token.ContextNip)) outcome = (480, 0);
        else outcome = (200, 0);

        var operation = Start(store, request.ContextIdentifier.Value, "Token", now);
        operation.KsefTokenReference = token?.ReferenceNumber;
        if (token is not null)
        {
            token.LastUse = now;
            operation.Subject = token.Author ?? SubjectIdentifier.Nip(token.ContextNip);
            operation.Permissions = token.Permissions ?? KsefPermissions.Owner;
        }
        return Accepted(store, operation, outcome, tokens, timeline, options);
    }

    /// <summary>
    /// POST /auth/xades-signature: the body is a signed AuthTokenRequest. The sandbox checks the enveloped signature
    /// against the certificate inside it (any certificate may act for a seeded context here) and the challenge.
    /// </summary>
    public static async Task<Results<Accepted<AuthenticationInitResponse>, KsefBadRequest>> XadesSignature(HttpContext http, SandboxStore store, AccessTokens tokens, SandboxTimeline timeline, TimeProvider clock, SandboxOptions options)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var body = buffer.ToArray();
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document.Load(reader);
        }
        catch (XmlException e)
        {
            return KsefErrors.UnreadableContent(http, e.Message);
        }
        var signatures = document.GetElementsByTagName("Signature", SignedXml.XmlDsigNamespaceUrl);
        if (signatures.Count == 0) return KsefErrors.NoSignature(http);
        if (signatures.Count > 1) return KsefErrors.TooManySignatures(http);
        var signed = new SignedXml(document);
        X509Certificate2? certificate;
        try
        {
            signed.LoadXml((XmlElement)signatures[0]!);
            certificate = signed.KeyInfo.OfType<KeyInfoX509Data>().SelectMany(d => d.Certificates?.Cast<X509Certificate2>() ?? []).FirstOrDefault();
            if (certificate is null || !signed.CheckSignature(certificate, verifySignatureOnly: true))
            {
                return KsefErrors.InvalidSignature(http);
            }
        }
        catch (CryptographicException e)
        {
            return KsefErrors.InvalidSignature(http, e.Message);
        }

        var challenge = Text(document, "Challenge");
        var nip = Text(document, "Nip");
        if (challenge is null || nip is null) return KsefErrors.SchemaViolation(http, "Challenge and ContextIdentifier/Nip are required.");
        if (!KsefGen.Runtime.Nip.IsValid(nip)) return KsefErrors.InvalidSubjectIdentifier(http);
        var now = clock.GetUtcNow();
        if (store.TakeChallenge(challenge) is not { } issued || now - issued > ChallengeLifetime)
        {
            return KsefErrors.InvalidChallenge(http);
        }
        var operation = Start(store, nip, "QualifiedSignature", now);
        operation.AuthenticationDigest = Convert.ToBase64String(SHA256.HashData(body));
        var details = SubjectDetails.Of(certificate);
        var byFingerprint = string.Equals(Text(document, "SubjectIdentifierType"), "certificateFingerprint", StringComparison.OrdinalIgnoreCase);
        operation.Subject = byFingerprint ? new SubjectIdentifier("Fingerprint", Convert.ToHexString(SHA256.HashData(certificate.RawData))) : details.Identifier;
        operation.SubjectDetails = details with { Identifier = operation.Subject };
        // Like TEST: the owner of a NIP (a certificate naming it) may always act for it, and the context exists from
        // then on; anyone else needs a permission granted in the context. The seeded contexts accept any certificate
        // as their owner (a documented difference that keeps their data reachable without a matching certificate).
        var permissions = store.PermissionsOf(operation.Subject, nip);
        if (permissions.Count == 0 && store.IsSeeded(nip)) permissions = KsefPermissions.Owner;
        operation.Permissions = permissions;
        (int, int) outcome = permissions.Count == 0 ? (415, 0)
            : store.IsBlocked(nip) ? (480, 0)
            : operation.Subject.Type == "Pesel" && store.FindPerson(operation.Subject.Value) is { IsDeceased: true } ? (470, 0)
            : (200, 0);
        return Accepted(store, operation, outcome, tokens, timeline, options);
    }

    /// <summary>GET /auth/{referenceNumber} with the operation's authenticationToken.</summary>
    public static async Task<Results<Ok<AuthenticationOperationStatusResponse>, KsefBadRequest, KsefUnauthorized, KsefGone>> Status(HttpContext http, SandboxStore store, AccessTokens tokens, TimeProvider clock, string referenceNumber)
    {
        var (claims, failure) = await tokens.AuthenticateAsync(http, TokenKind.OperationToken);
        if (failure is not null) return failure;
        var operation = claims!.OperationReference == referenceNumber ? store.FindAuthOperation(referenceNumber) : null;
        if (operation is null) return NotFound(http, referenceNumber);
        if (clock.GetUtcNow() - operation.Started > Retention) return KsefResults.Gone(http, $"Authentication {referenceNumber} is older than 7 days.");
        return TypedResults.Ok(new AuthenticationOperationStatusResponse
        {
            StartDate = operation.Started,
#pragma warning disable CS0618 // deprecated in the spec, still sent
            AuthenticationMethod = MethodOf(operation),
#pragma warning restore CS0618
            AuthenticationMethodInfo = MethodInfoOf(operation),
            Status = StatusOf(operation),
            IsTokenRedeemed = operation.IsTokenRedeemed,
            LastTokenRefreshDate = operation.LastTokenRefreshDate,
            RefreshTokenValidUntil = operation.RefreshTokenValidUntil,
        });
    }

    /// <summary>POST /auth/token/redeem: once, after status 200.</summary>
    public static async Task<Results<Ok<AuthenticationTokensResponse>, KsefBadRequest, KsefUnauthorized>> Redeem(HttpContext http, SandboxStore store, AccessTokens tokens, TimeProvider clock, SandboxOptions options)
    {
        var (claims, failure) = await tokens.AuthenticateAsync(http, TokenKind.OperationToken);
        if (failure is not null) return failure;
        var operation = store.FindAuthOperation(claims!.OperationReference ?? "");
        if (operation is null) return NotFound(http, claims.OperationReference ?? "");
        lock (operation)
        {
            if (operation.IsTokenRedeemed)
            {
                return KsefErrors.TokensRedeemedAlready(http, operation.ReferenceNumber);
            }
            if (operation.Status != 200)
            {
                return KsefErrors.StatusForbidsRedeem(http, operation.Status);
            }
            operation.IsTokenRedeemed = true;
        }
        var access = tokens.IssueFor(operation, TokenKind.ContextToken);
        var refresh = tokens.IssueFor(operation, TokenKind.RefreshToken);
        operation.RefreshTokenValidUntil = refresh.ValidUntil;
        return TypedResults.Ok(new AuthenticationTokensResponse
        {
            AccessToken = new TokenInfo { Token = access.Token, ValidUntil = access.ValidUntil },
            RefreshToken = new TokenInfo { Token = refresh.Token, ValidUntil = refresh.ValidUntil },
        });
    }

    /// <summary>POST /auth/token/refresh with the refresh token: a new access token.</summary>
    public static async Task<Results<Ok<AuthenticationTokenRefreshResponse>, KsefBadRequest, KsefUnauthorized>> Refresh(HttpContext http, SandboxStore store, AccessTokens tokens, TimeProvider clock)
    {
        var (claims, failure) = await tokens.AuthenticateAsync(http, TokenKind.RefreshToken);
        if (failure is not null) return failure;
        var operation = store.FindAuthOperation(claims!.OperationReference ?? "");
        if (operation is null) return NotFound(http, claims.OperationReference ?? "");
        if (operation.Status != 200) return KsefErrors.StatusForbidsRefresh(http, operation.Status);
        var access = tokens.IssueFor(operation, TokenKind.ContextToken);
        operation.LastTokenRefreshDate = clock.GetUtcNow();
        return TypedResults.Ok(new AuthenticationTokenRefreshResponse { AccessToken = new TokenInfo { Token = access.Token, ValidUntil = access.ValidUntil } });
    }

    /// <summary>GET /security/public-key-certificates: the sandbox's key, for both usages.</summary>
    public static Ok<List<PublicKeyCertificate>> PublicKeyCertificates(SandboxKeys keys) => TypedResults.Ok(new List<PublicKeyCertificate>
    {
        new()
        {
            Certificate = keys.CertificateDer,
            CertificateId = Convert.FromBase64String(keys.CertificateId),
            PublicKeyId = Convert.FromBase64String(keys.PublicKeyId),
            ValidFrom = keys.ValidFrom,
            ValidTo = keys.ValidTo,
            Usage = [PublicKeyCertificateUsage.KsefTokenEncryption, PublicKeyCertificateUsage.SymmetricKeyEncryption],
        },
    });

    /// <summary>The (deprecated, still sent) authentication method of an operation.</summary>
    [Obsolete("The spec deprecates authenticationMethod; KSeF still sends it.")]
    internal static AuthenticationMethod MethodOf(AuthOperationRecord operation) =>
        operation.Method == "Token" ? AuthenticationMethod.Token : AuthenticationMethod.QualifiedSignature;

    /// <summary>The authentication method's category, code and display name.</summary>
    internal static AuthenticationMethodInfo MethodInfoOf(AuthOperationRecord operation) => operation.Method == "Token"
        ? new AuthenticationMethodInfo { Category = AuthenticationMethodCategory.Token, Code = "token.ksef", DisplayName = "KSeF token" }
        : new AuthenticationMethodInfo { Category = AuthenticationMethodCategory.XadesSignature, Code = "xades.qualified-signature", DisplayName = "Qualified signature" };

    /// <summary>The status of an operation as KSeF reports it.</summary>
    internal static StatusInfo StatusOf(AuthOperationRecord operation) => new()
    {
        Code = operation.Status,
        Description = StatusCatalog.Describe(StatusTable.Authentication, operation.Status),
        Details = operation.StatusDetail is null ? null : [operation.StatusDetail],
    };

    private static AuthOperationRecord Start(SandboxStore store, string contextNip, string method, DateTimeOffset now)
    {
        var operation = new AuthOperationRecord(KsefIdentifiers.NewReferenceNumber(now, "AU", Random.Shared), contextNip, method, now);
        store.AddAuthOperation(operation);
        return operation;
    }

    private static Accepted<AuthenticationInitResponse> Accepted(SandboxStore store, AuthOperationRecord operation, (int Code, int Detail) outcome, AccessTokens tokens, SandboxTimeline timeline, SandboxOptions options)
    {
        timeline.Schedule(operation.Started + options.AuthenticationDelay, _ =>
        {
            if (outcome.Code == 200) store.EnsureContext(operation.ContextNip);
            operation.Status = outcome.Code;
            operation.StatusDetail = StatusCatalog.Detail(StatusTable.Authentication, outcome.Code, index: outcome.Detail);
        });
        var (token, validUntil) = tokens.IssueOperationToken(operation, OperationTokenLifetime);
        return TypedResults.Accepted((string?)null, new AuthenticationInitResponse
        {
            ReferenceNumber = operation.ReferenceNumber,
            AuthenticationToken = new TokenInfo { Token = token, ValidUntil = validUntil },
        });
    }

    private static KsefBadRequest NotFound(HttpContext http, string referenceNumber) =>
        KsefErrors.AuthenticationNotFound(http, referenceNumber);

    private static string? Text(XmlDocument document, string localName)
    {
        var nodes = document.GetElementsByTagName(localName, "*");
        return nodes.Count > 0 ? nodes[0]!.InnerText.Trim() : null;
    }
}
