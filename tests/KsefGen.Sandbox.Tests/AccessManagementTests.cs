using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// Authentication sessions, KSeF tokens, limits, permissions and test data through the generated client, as the
/// official SDK's E2E suite uses them against KSeF TEST: fresh NIPs signed in with self-signed certificates.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AccessManagementTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Signed(KsefClient Client, KsefTestKit.TokenHandler Handler, string Reference, string Access, string Refresh);

    private static string FreshNip() => KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);

    /// <summary>XAdES sign-in of <paramref name="subject"/> (a NIP, or a PESEL with "PNOPL") into <paramref name="contextNip"/>; the status it ended in.</summary>
    private async Task<(int Status, Signed? Tokens)> SignInAsync(string contextNip, string? subject = null, string prefix = "TINPL")
    {
        var (client, handler) = KsefTestKit.Client(sandbox);
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest($"CN=A R, SERIALNUMBER={prefix}-{subject ?? contextNip}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(AuthFlowTests.SignedAuthRequest(challenge.Challenge, contextNip, certificate), cancellationToken: Ct);
        handler.Token = started.AuthenticationToken.Token;
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        var status = await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct);
        if (status.Status.Code != 200) return (status.Status.Code, null);
        var tokens = await client.Authentication.RedeemTokenAsync(Ct);
        handler.Token = tokens.AccessToken.Token;
        return (200, new Signed(client, handler, started.ReferenceNumber, tokens.AccessToken.Token, tokens.RefreshToken.Token));
    }

    private async Task<Signed> OwnerAsync(string nip) => (await SignInAsync(nip)).Tokens ?? throw new InvalidOperationException("sign-in failed");

    [Fact]
    public async Task ActiveSessionsAreListedAndARevokedSessionsTokensStopWorking()
    {
        var nip = FreshNip();
        var first = await OwnerAsync(nip);
        var second = await OwnerAsync(nip);

        var listed = await first.Client.ActiveSessions.GetActiveSessionsAsync(cancellationToken: Ct);
        Assert.Equal(2, listed.Items.Count);
        Assert.Equal(first.Reference, Assert.Single(listed.Items, i => i.IsCurrent == true).ReferenceNumber);
        Assert.All(listed.Items, i => Assert.True(i.IsTokenRedeemed));

        // Revoking another session of the context by reference: its access token answers 401, its refresh token 21301.
        await first.Client.ActiveSessions.RevokeSessionAsync(second.Reference, Ct);
        var denied = await Assert.ThrowsAsync<KsefApiException>(() => second.Client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        second.Handler.Token = second.Refresh;
        var refresh = await Assert.ThrowsAsync<KsefApiException>(() => second.Client.Authentication.RefreshAccessTokenAsync(Ct));
        Assert.Equal(21301, refresh.ExceptionCode);
        Assert.Contains("(425)", refresh.Errors.Single().Details!.Single(), StringComparison.Ordinal);
        Assert.Single((await first.Client.ActiveSessions.GetActiveSessionsAsync(cancellationToken: Ct)).Items);

        // Revoking the current session with its refresh token.
        first.Handler.Token = first.Refresh;
        await first.Client.ActiveSessions.RevokeCurrentSessionAsync(Ct);
        Assert.Equal(21301, (await Assert.ThrowsAsync<KsefApiException>(() => first.Client.Authentication.RefreshAccessTokenAsync(Ct))).ExceptionCode);
    }

    [Fact]
    public async Task AGeneratedKsefTokenGoesActiveAuthenticatesWithItsPermissionsAndFollowsTheCredentialsRules()
    {
        var nip = FreshNip();
        var owner = await OwnerAsync(nip);
        var generated = await owner.Client.Tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.InvoiceRead, TokenPermissionType.InvoiceWrite], Description = "ERP" }, Ct);
        var other = await owner.Client.Tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.InvoiceRead], Description = "Archive" }, Ct);
        Assert.Equal(AuthenticationTokenStatus.Pending, (await owner.Client.Tokens.GetTokenAsync(generated.ReferenceNumber, Ct)).Status);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AuthenticationTokenStatus.Active, (await owner.Client.Tokens.GetTokenAsync(generated.ReferenceNumber, Ct)).Status);

        // The token authenticates through /auth/ksef-token and carries exactly its permissions.
        var (tokenClient, tokenHandler) = KsefTestKit.Client(sandbox);
        var request = await KsefTokenRequestAsync(tokenClient, generated.Token, nip);
        var started = await tokenClient.Authentication.SubmitKsefTokenAuthRequestAsync(request, Ct);
        tokenHandler.Token = started.AuthenticationToken.Token;
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(200, (await tokenClient.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct)).Status.Code);
        tokenHandler.Token = (await tokenClient.Authentication.RedeemTokenAsync(Ct)).AccessToken.Token;
        var per = JsonSerializer.Deserialize<string[]>(JwtClaim(tokenHandler.Token, "per"))!;
        Assert.Equal(["InvoiceRead", "InvoiceWrite"], per.Order(StringComparer.Ordinal));

        // Without CredentialsManage: may read its author's tokens and revoke only its own token.
        Assert.Equal("Archive", (await tokenClient.Tokens.GetTokenAsync(other.ReferenceNumber, Ct)).Description);
        var forbidden = await Assert.ThrowsAsync<KsefApiException>(() => tokenClient.Tokens.RevokeTokenAsync(other.ReferenceNumber, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var beyond = await Assert.ThrowsAsync<KsefApiException>(() => tokenClient.Tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.CredentialsManage], Description = "x" }, Ct));
        Assert.Equal(26001, beyond.ExceptionCode);
        await tokenClient.Tokens.RevokeTokenAsync(generated.ReferenceNumber, Ct);
        Assert.Equal(AuthenticationTokenStatus.Revoked, (await owner.Client.Tokens.GetTokenAsync(generated.ReferenceNumber, Ct)).Status);

        // Listing filters by description and status; a revoked token no longer authenticates (450).
        var listed = await owner.Client.Tokens.GetTokensAsync(description: "arch", cancellationToken: Ct);
        Assert.Equal(other.ReferenceNumber, Assert.Single(listed.Tokens).ReferenceNumber);
        Assert.Equal(generated.ReferenceNumber, Assert.Single((await owner.Client.Tokens.GetTokensAsync(status: [AuthenticationTokenStatus.Revoked], cancellationToken: Ct)).Tokens).ReferenceNumber);
        var again = await tokenClient.Authentication.SubmitKsefTokenAuthRequestAsync(await KsefTokenRequestAsync(tokenClient, generated.Token, nip), Ct);
        tokenHandler.Token = again.AuthenticationToken.Token;
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(450, (await tokenClient.Authentication.GetAuthStatusAsync(again.ReferenceNumber, Ct)).Status.Code);
    }

    [Fact]
    public async Task LimitsSetThroughTestDataAreReportedEnforcedAndRestored()
    {
        var nip = FreshNip();
        var owner = await OwnerAsync(nip);
        var limits = await owner.Client.Limits.GetContextLimitsAsync(Ct);
        Assert.True(limits.OnlineSession.MaxInvoices > 0);
        await owner.Client.Limits.SetSessionLimitsAsync(new SetSessionLimitsRequest
        {
            OnlineSession = new OnlineSessionContextLimitsOverride { MaxInvoices = 1, MaxInvoiceSizeInMB = 2, MaxInvoiceWithAttachmentSizeInMB = 4 },
            BatchSession = new BatchSessionContextLimitsOverride { MaxInvoices = 5, MaxInvoiceSizeInMB = 2, MaxInvoiceWithAttachmentSizeInMB = 4 },
        }, Ct);
        Assert.Equal(1, (await owner.Client.Limits.GetContextLimitsAsync(Ct)).OnlineSession.MaxInvoices);

        // The limit is enforced: the second invoice of a session is refused with 21155.
        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(owner.Client, Ct);
        var opened = await owner.Client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        await owner.Client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(nip, "L/1"), key, iv), Ct);
        var over = await Assert.ThrowsAsync<KsefApiException>(() => owner.Client.OnlineSession.SendOnlineSessionInvoiceAsync(opened.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(nip, "L/2"), key, iv), Ct));
        Assert.Equal(21155, over.ExceptionCode);

        await owner.Client.Limits.RestoreDefaultSessionLimitsAsync(Ct);
        Assert.Equal(limits.OnlineSession.MaxInvoices, (await owner.Client.Limits.GetContextLimitsAsync(Ct)).OnlineSession.MaxInvoices);

        var subject = await owner.Client.Limits.GetSubjectLimitsAsync(Ct);
        await owner.Client.Limits.SetCertificateLimitsAsync(new SetSubjectLimitsRequest { Certificate = new CertificateSubjectLimitsOverride { MaxCertificates = 7 } }, Ct);
        Assert.Equal(7, (await owner.Client.Limits.GetSubjectLimitsAsync(Ct)).Certificate!.MaxCertificates);
        await owner.Client.Limits.RestoreDefaultCertificateLimitsAsync(Ct);
        Assert.Equal(subject.Certificate!.MaxCertificates, (await owner.Client.Limits.GetSubjectLimitsAsync(Ct)).Certificate!.MaxCertificates);
    }

    [Fact]
    public async Task RateLimitBudgetsSetThroughTestDataAreEnforcedPerContext()
    {
        var limited = new LimitedBudgets();
        await using (limited)
        {
            await limited.InitializeAsync();
            var (client, handler) = KsefTestKit.Client(limited);
            handler.Token = await limited.AccessTokenAsync(limited.Store.Contexts[0].Nip);
            var defaults = await client.Limits.GetRateLimitsAsync(Ct);
            Assert.Equal(10, defaults.Other.PerSecond);
            var invalid = await Assert.ThrowsAsync<KsefApiException>(() => client.Limits.SetRateLimitsAsync(new SetRateLimitsRequest { RateLimits = Override(defaults, otherPerSecond: 0) }, Ct));
            Assert.Equal(21405, invalid.ExceptionCode);
            await client.Limits.SetRateLimitsAsync(new SetRateLimitsRequest { RateLimits = Override(defaults, otherPerSecond: 1) }, Ct);
            limited.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(1, (await client.Limits.GetRateLimitsAsync(Ct)).Other.PerSecond);
            // GET /limits/context is in the "other" group: one request per second now (each operation counts on its own).
            await client.Limits.GetContextLimitsAsync(Ct);
            var refused = await Assert.ThrowsAsync<KsefApiException>(() => client.Limits.GetContextLimitsAsync(Ct));
            Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            Assert.NotNull(refused.RetryAfter);
            // Another context keeps its own budget.
            var (otherClient, otherHandler) = KsefTestKit.Client(limited);
            otherHandler.Token = await limited.AccessTokenAsync(limited.Store.Contexts[1].Nip);
            await otherClient.Limits.GetContextLimitsAsync(Ct);
            await otherClient.Limits.GetContextLimitsAsync(Ct);
            limited.Clock.Advance(TimeSpan.FromSeconds(1));
            await client.Limits.RestoreDefaultRateLimitsAsync(Ct);
            Assert.Equal(10, (await client.Limits.GetRateLimitsAsync(Ct)).Other.PerSecond);
        }
    }

    [Fact]
    public async Task APersonWithoutPermissionsIsRefusedAndAGrantLetsItInWithExactlyThatPermission()
    {
        var nip = FreshNip();
        var owner = await OwnerAsync(nip);
        var employee = FreshNip();
        Assert.Equal(415, (await SignInAsync(nip, employee)).Status);

        var operation = await owner.Client.PermissionGrants.GrantPersonPermissionsAsync(new PersonPermissionsGrantRequest
        {
            SubjectIdentifier = new PersonPermissionsSubjectIdentifier { Type = PersonPermissionsSubjectIdentifierType.Nip, Value = employee },
            Permissions = [PersonPermissionType.InvoiceWrite],
            Description = "Sends invoices",
            SubjectDetails = new PersonPermissionSubjectDetails { SubjectDetailsType = PersonPermissionSubjectDetailsType.PersonByIdentifier },
        }, Ct);
        Assert.Equal(200, (await owner.Client.PermissionOperations.GetPermissionOperationStatusAsync(operation.ReferenceNumber, Ct)).Status.Code);

        var (status, signed) = await SignInAsync(nip, employee);
        Assert.Equal(200, status);
        // InvoiceWrite: may open a session, but not read invoices (InvoiceRead) nor see the owner's sessions.
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(signed!.Client, Ct);
        await signed.Client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        var ownerSession = await owner.Client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, Ct);
        Assert.Equal(21173, (await Assert.ThrowsAsync<KsefApiException>(() => signed.Client.SessionStatus.GetSessionStatusAsync(ownerSession.ReferenceNumber, Ct))).ExceptionCode);
        Assert.Single((await signed.Client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct)).Sessions);
        var tokenDenied = await Assert.ThrowsAsync<KsefApiException>(() => signed.Client.PermissionGrants.GrantPersonPermissionsAsync(new PersonPermissionsGrantRequest
        {
            SubjectIdentifier = new PersonPermissionsSubjectIdentifier { Type = PersonPermissionsSubjectIdentifierType.Nip, Value = FreshNip() },
            Permissions = [PersonPermissionType.InvoiceRead],
            Description = "x",
            SubjectDetails = new PersonPermissionSubjectDetails { SubjectDetailsType = PersonPermissionSubjectDetailsType.PersonByIdentifier },
        }, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, tokenDenied.StatusCode);

        var grants = await owner.Client.PermissionQueries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, cancellationToken: Ct);
        var grant = Assert.Single(grants.Permissions);
        await owner.Client.PermissionRevocations.RevokePermissionAsync(grant.Id, Ct);
        Assert.Equal(415, (await SignInAsync(nip, employee)).Status);
    }

    [Fact]
    public async Task TestDataPersonsOwnTheirNipAndABlockedContextRefusesSignIn()
    {
        var nip = FreshNip();
        const string pesel = "90010112345";
        var (client, _) = KsefTestKit.Client(sandbox);
        await client.TestData.CreatePersonAsync(new PersonCreateRequest { Nip = nip, Pesel = pesel, IsBailiff = false, Description = "sole trader" }, Ct);
        Assert.Equal(30001, (await Assert.ThrowsAsync<KsefApiException>(() => client.TestData.CreatePersonAsync(new PersonCreateRequest { Nip = nip, Pesel = pesel, IsBailiff = false, Description = "again" }, Ct))).ExceptionCode);
        var (status, signed) = await SignInAsync(nip, pesel, "PNOPL");
        Assert.Equal(200, status);
        Assert.Contains("Owner", JsonSerializer.Deserialize<string[]>(JwtClaim(signed!.Access, "rol"))!);

        await client.TestData.BlockContextAuthenticationAsync(new BlockContextAuthenticationRequest { ContextIdentifier = new TestDataAuthenticationContextIdentifier { Type = TestDataAuthenticationContextIdentifierType.Nip, Value = nip } }, Ct);
        Assert.Equal(480, (await SignInAsync(nip)).Status);
        await client.TestData.UnblockContextAuthenticationAsync(new UnblockContextAuthenticationRequest { ContextIdentifier = new TestDataAuthenticationContextIdentifier { Type = TestDataAuthenticationContextIdentifierType.Nip, Value = nip } }, Ct);
        Assert.Equal(200, (await SignInAsync(nip)).Status);

        // Consent to attachments, as the owner sees it.
        Assert.False((await signed.Client.PermissionOperations.GetAttachmentPermissionStatusAsync(Ct)).IsAttachmentAllowed);
        await client.TestData.EnableAttachmentsAsync(new AttachmentPermissionGrantRequest { Nip = nip }, Ct);
        Assert.True((await signed.Client.PermissionOperations.GetAttachmentPermissionStatusAsync(Ct)).IsAttachmentAllowed);

        // Direct test-data grants work like grants by the owner.
        var helper = FreshNip();
        await client.TestData.GrantPermissionsAsync(new TestDataPermissionsGrantRequest
        {
            ContextIdentifier = new TestDataContextIdentifier { Type = TestDataContextIdentifierType.Nip, Value = nip },
            AuthorizedIdentifier = new TestDataAuthorizedIdentifier { Type = TestDataAuthorizedIdentifierType.Nip, Value = helper },
            Permissions = [new TestDataPermission { PermissionType = TestDataPermissionType.InvoiceRead, Description = "reads" }],
        }, Ct);
        Assert.Equal(200, (await SignInAsync(nip, helper)).Status);
        await client.TestData.RevokePermissionsAsync(new TestDataPermissionsRevokeRequest
        {
            ContextIdentifier = new TestDataContextIdentifier { Type = TestDataContextIdentifierType.Nip, Value = nip },
            AuthorizedIdentifier = new TestDataAuthorizedIdentifier { Type = TestDataAuthorizedIdentifierType.Nip, Value = helper },
        }, Ct);
        Assert.Equal(415, (await SignInAsync(nip, helper)).Status);
    }

    [Fact]
    public async Task RequestBodiesAreReadCaseInsensitivelyAndAnswersKeepTheSpecSpelling()
    {
        var nip = sandbox.Store.Contexts[0].Nip;
        var client = await sandbox.ClientAsync(nip);
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(client, Ct);
        // PascalCase names and a lower-case enum value, as the official SDK sends them by default.
        var body = $$$"""
            {"FormCode":{"SystemCode":"FA (3)","SchemaVersion":"1-0E","Value":"FA"},
             "Encryption":{"EncryptedSymmetricKey":"{{{Convert.ToBase64String(encryption.EncryptedSymmetricKey)}}}","InitializationVector":"{{{Convert.ToBase64String(encryption.InitializationVector)}}}"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/sessions/online") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", await sandbox.AccessTokenAsync(nip));
        using var response = await sandbox.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\"referenceNumber\"", text, StringComparison.Ordinal);

        using var token = new HttpRequestMessage(HttpMethod.Post, "v2/auth/ksef-token")
        {
            Content = new StringContent("""{"Challenge":"x","ContextIdentifier":{"Type":"nip","Value":"1234567890"},"EncryptedToken":"AAAA"}""", Encoding.UTF8, "application/json"),
        };
        using var tokenResponse = await sandbox.Http.SendAsync(token, Ct);
        // Read fine (case-insensitively, "nip" as Nip): the refusal is about the unknown challenge (21111), not validation (21405).
        Assert.Equal(HttpStatusCode.BadRequest, tokenResponse.StatusCode);
        Assert.Contains("21111", await tokenResponse.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static ApiRateLimitsOverride Override(EffectiveApiRateLimits current, int otherPerSecond)
    {
        ApiRateLimitValuesOverride V(EffectiveApiRateLimitValues v) => new() { PerSecond = v.PerSecond, PerMinute = v.PerMinute, PerHour = v.PerHour };
        return new ApiRateLimitsOverride
        {
            OnlineSession = V(current.OnlineSession), BatchSession = V(current.BatchSession), InvoiceSend = V(current.InvoiceSend),
            InvoiceStatus = V(current.InvoiceStatus), SessionList = V(current.SessionList), SessionInvoiceList = V(current.SessionInvoiceList),
            SessionMisc = V(current.SessionMisc), InvoiceMetadata = V(current.InvoiceMetadata), InvoiceExport = V(current.InvoiceExport),
            InvoiceExportStatus = V(current.InvoiceExportStatus), InvoiceDownload = V(current.InvoiceDownload),
            Other = new ApiRateLimitValuesOverride { PerSecond = otherPerSecond, PerMinute = current.Other.PerMinute, PerHour = current.Other.PerHour },
        };
    }

    private async Task<InitTokenAuthenticationRequest> KsefTokenRequestAsync(KsefClient client, string token, string nip)
    {
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        var certificate = await KsefTestKit.EncryptionCertificateAsync(client, PublicKeyCertificateUsage.KsefTokenEncryption, Ct);
        return new InitTokenAuthenticationRequest
        {
            Challenge = challenge.Challenge,
            ContextIdentifier = new AuthenticationContextIdentifier { Type = AuthenticationContextIdentifierType.Nip, Value = nip },
            EncryptedToken = KsefTestKit.RsaEncrypt(certificate, Encoding.UTF8.GetBytes($"{token}|{challenge.TimestampMs}")),
        };
    }

    private static string JwtClaim(string jwt, string name)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part += new string('=', (4 - part.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(part)).RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>A sandbox of its own with rate limits on (the shared one runs without).</summary>
    private sealed class LimitedBudgets : SandboxFixture
    {
        public LimitedBudgets() => RateLimits = true;
    }
}
