using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Tests.Client;
using Microsoft.Extensions.DependencyInjection;

namespace KsefGen.Sandbox.Tests.Contract;

/// <summary>
/// Drives every /v2 route of the sandbox through every response shape it has, with every exchange recorded in the
/// log: pages and filters, every session and invoice status code, UPO XML, 400 in both error formats, 401.
/// A new route needs its calls here (and <see cref="ContractTests"/> fails until it has them).
/// </summary>
internal sealed class ContractDriver(SandboxFixture sandbox, ExchangeLog log)
{
    private const string MissingReference = "20261102-SO-0000000000-0000000000-00";

    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var context in sandbox.Store.Contexts)
        {
            var client = await sandbox.ClientAsync(context.Nip, observer: log.Observer());
            await SessionListsAsync(client, context.Nip, ct);
            await SessionStatusesAsync(client, context.Nip, ct);
            await InvoiceListsAsync(client, context.Nip, ct);
            await SingleInvoicesAsync(client, context.Nip, ct);
            await UposAsync(client, context.Nip, ct);
            await ReceivingAsync(client, context.Nip, ct);
        }

        var nip = sandbox.Store.Contexts[0].Nip;
        var token = await sandbox.AccessTokenAsync(nip);
        foreach (var problemDetails in new[] { false, true })
        {
            var client = await sandbox.ClientAsync(nip, problemDetails, log.Observer());
            await BadRequestsAsync(client, nip, token, problemDetails, ct);
        }
        await FlowAsync(nip, ct);
        await AccessManagementAsync(ct);
        await ReceivingUnauthorizedAsync(nip, ct);
        await UnauthorizedAsync(nip, token, ct);
    }

    /// <summary>
    /// The sending side: public keys, challenge, KSeF-token authentication, status, redeem, refresh, online and batch
    /// sessions — each route in its success shape, 400 in both formats, and 401 where the route takes a token.
    /// </summary>
    private async Task FlowAsync(string nip, CancellationToken ct)
    {
        var (client, handler) = KsefTestKit.Client(sandbox, observer: log.Observer());
        var certificate = await KsefTestKit.EncryptionCertificateAsync(client, PublicKeyCertificateUsage.KsefTokenEncryption, ct);
        var challenge = await client.Authentication.GetAuthChallengeAsync(ct);
        var ksefToken = sandbox.Store.KsefTokensOf(nip).First().Token;
        var request = new InitTokenAuthenticationRequest
        {
            Challenge = challenge.Challenge,
            ContextIdentifier = new AuthenticationContextIdentifier { Type = AuthenticationContextIdentifierType.Nip, Value = nip },
            EncryptedToken = KsefTestKit.RsaEncrypt(certificate, System.Text.Encoding.UTF8.GetBytes($"{ksefToken}|{challenge.TimestampMs}")),
        };
        var started = await client.Authentication.SubmitKsefTokenAuthRequestAsync(request, ct);
        handler.Token = started.AuthenticationToken.Token;
        await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, ct);
        var tokens = await client.Authentication.RedeemTokenAsync(ct);
        handler.Token = tokens.RefreshToken.Token;
        var refreshed = await client.Authentication.RefreshAccessTokenAsync(ct);
        handler.Token = refreshed.AccessToken.Token;
        var xadesChallenge = await client.Authentication.GetAuthChallengeAsync(ct);
        using (var signer = System.Security.Cryptography.RSA.Create(2048))
        using (var signing = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Contract Test", signer,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
        {
            await client.Authentication.SubmitXadesAuthRequestAsync(AuthFlowTests.SignedAuthRequest(xadesChallenge.Challenge, nip, signing), cancellationToken: ct);
        }

        var (key, iv, encryption) = await KsefTestKit.SessionKeyAsync(client, ct);
        var online = await client.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, ct);
        var sent = await client.OnlineSession.SendOnlineSessionInvoiceAsync(online.ReferenceNumber,
            KsefTestKit.SendRequest(KsefTestKit.Invoice(nip, $"FK/{Guid.NewGuid():N}"), key, iv), ct);
        await client.OnlineSession.CloseOnlineSessionAsync(online.ReferenceNumber, ct);
        var (batchRequest, parts) = KsefTestKit.BatchRequest(KsefTestKit.Zip(("k.xml", KsefTestKit.Invoice(nip, $"FK/{Guid.NewGuid():N}"))), 1, key, iv, encryption);
        var batch = await client.BatchSession.OpenBatchSessionAsync(batchRequest, ct);
        using (var put = new HttpRequestMessage(HttpMethod.Put, batch.PartUploadRequests[0].Url) { Content = new ByteArrayContent(parts[0]) })
        {
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            using var storage = new HttpClient();
            (await storage.SendAsync(put, ct)).EnsureSuccessStatusCode();
        }
        await client.BatchSession.CloseBatchSessionAsync(batch.ReferenceNumber, ct);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(30));
        // What was sent, now processed, through the status routes.
        await client.SessionStatus.GetSessionStatusAsync(online.ReferenceNumber, ct);
        await client.SessionStatus.GetSessionInvoiceAsync(online.ReferenceNumber, sent.ReferenceNumber, ct);
        await client.SessionStatus.GetSessionInvoicesAsync(batch.ReferenceNumber, cancellationToken: ct);

        foreach (var problemDetails in new[] { false, true })
        {
            var (bad, badHandler) = KsefTestKit.Client(sandbox, refreshed.AccessToken.Token, log.Observer());
            if (problemDetails) badHandler.Headers[KsefResults.ErrorFormatHeader] = "problem-details";
            // Auth: a used challenge (21111), an unknown operation (21304), redeeming twice (21301).
            badHandler.Token = null;
            await Bad(() => bad.Authentication.SubmitKsefTokenAuthRequestAsync(request, ct));
            await Bad(() => bad.Authentication.SubmitXadesAuthRequestAsync("<AuthTokenRequest/>", cancellationToken: ct));
            badHandler.Token = started.AuthenticationToken.Token;
            await Bad(() => bad.Authentication.GetAuthStatusAsync(MissingReference.Replace("-SO-", "-AU-", StringComparison.Ordinal), ct));
            await Bad(() => bad.Authentication.RedeemTokenAsync(ct));
            badHandler.Token = refreshed.AccessToken.Token;
            // Sending: an unknown form code, sizes and hashes that do not add up, a closed session, a missing part.
            var unknownForm = new OpenOnlineSessionRequest { FormCode = new FormCode { SystemCode = "FA (9)", SchemaVersion = "1-0E", Value = "FA" }, Encryption = encryption };
            await Bad(() => bad.OnlineSession.OpenOnlineSessionAsync(unknownForm, ct));
            var wrongSize = KsefTestKit.SendRequest(KsefTestKit.Invoice(nip, "FK/1"), key, iv);
            wrongSize.EncryptedInvoiceSize++;
            await Bad(() => bad.OnlineSession.SendOnlineSessionInvoiceAsync(online.ReferenceNumber, wrongSize, ct));
            await Bad(() => bad.OnlineSession.CloseOnlineSessionAsync(online.ReferenceNumber, ct));
            var tooMany = KsefTestKit.BatchRequest(new byte[51 * 16], 51, key, iv, encryption).Request;
            await Bad(() => bad.BatchSession.OpenBatchSessionAsync(tooMany, ct));
            var unfinished = await bad.BatchSession.OpenBatchSessionAsync(KsefTestKit.BatchRequest(KsefTestKit.Zip(("u.xml", KsefTestKit.Invoice(nip, "FK/2"))), 1, key, iv, encryption).Request, ct);
            await Bad(() => bad.BatchSession.CloseBatchSessionAsync(unfinished.ReferenceNumber, ct));

            async Task Bad(Func<Task> call)
            {
                var error = await Assert.ThrowsAsync<KsefApiException>(call);
                Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
                Assert.Equal(problemDetails, error.IsProblemDetails);
            }
        }

        // A refresh token whose authentication the sandbox no longer knows (after a reset): 21304.
        using (var reset = log.PlainClient(sandbox.BaseAddress))
        {
            (await reset.PostAsync("sandbox/reset", JsonContent.Create(new { }), ct)).EnsureSuccessStatusCode();
        }
        foreach (var problemDetails in new[] { false, true })
        {
            var (bad, badHandler) = KsefTestKit.Client(sandbox, tokens.RefreshToken.Token, log.Observer());
            if (problemDetails) badHandler.Headers[KsefResults.ErrorFormatHeader] = "problem-details";
            var error = await Assert.ThrowsAsync<KsefApiException>(() => bad.Authentication.RefreshAccessTokenAsync(ct));
            Assert.Equal(21304, error.ExceptionCode);
        }

        // 401 on the routes that take a token: none, and a token of the wrong kind.
        var (anonymous, anonymousHandler) = KsefTestKit.Client(sandbox, observer: log.Observer());
        foreach (var wrong in new[] { null, refreshed.AccessToken.Token })
        {
            anonymousHandler.Token = wrong;
            await Unauthorized(() => anonymous.Authentication.GetAuthStatusAsync(started.ReferenceNumber, ct));
            await Unauthorized(() => anonymous.Authentication.RedeemTokenAsync(ct));
            await Unauthorized(() => anonymous.Authentication.RefreshAccessTokenAsync(ct));
        }
        anonymousHandler.Token = started.AuthenticationToken.Token;
        await Unauthorized(() => anonymous.OnlineSession.OpenOnlineSessionAsync(new OpenOnlineSessionRequest { FormCode = KsefTestKit.Fa3, Encryption = encryption }, ct));
        await Unauthorized(() => anonymous.OnlineSession.SendOnlineSessionInvoiceAsync(online.ReferenceNumber, KsefTestKit.SendRequest(KsefTestKit.Invoice(nip, "FK/3"), key, iv), ct));
        await Unauthorized(() => anonymous.OnlineSession.CloseOnlineSessionAsync(online.ReferenceNumber, ct));
        await Unauthorized(() => anonymous.BatchSession.OpenBatchSessionAsync(batchRequest, ct));
        await Unauthorized(() => anonymous.BatchSession.CloseBatchSessionAsync(batch.ReferenceNumber, ct));

        static async Task Unauthorized(Func<Task> call) =>
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<KsefApiException>(call)).StatusCode);
    }

    /// <summary>
    /// "Pobieranie faktur" over the seeded data: metadata in every subject and date type (pages, both orders, a filter
    /// of each kind, truncation), downloads (seller and buyer), exports in both compressions from 100 to 200.
    /// </summary>
    private async Task ReceivingAsync(KsefClient client, string nip, CancellationToken ct)
    {
        var from = Seeder.Anchor.AddDays(-1);
        InvoiceQueryFilters Filters(InvoiceQuerySubjectType subject, InvoiceQueryDateType dateType, bool? restrict = null) => new()
        {
            SubjectType = subject,
            DateRange = new InvoiceQueryDateRange { DateType = dateType, From = from, RestrictToPermanentStorageHwmDate = restrict },
        };
        var invoices = client.Invoices;
        string? ksefNumber = null;
        foreach (var subject in InvoiceQuerySubjectType.KnownValues)
        {
            foreach (var dateType in InvoiceQueryDateType.KnownValues)
            {
                foreach (var order in SortOrder.KnownValues)
                {
                    var first = await invoices.QueryInvoiceMetadataAsync(Filters(subject, dateType), order, 0, 250, ct);
                    ksefNumber ??= first.Invoices.FirstOrDefault()?.KsefNumber;
                    await invoices.QueryInvoiceMetadataAsync(Filters(subject, dateType, restrict: true), order, 3, 250, ct);
                }
            }
        }
        var filtered = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage);
        filtered.Amount = new InvoiceQueryAmount { Type = AmountType.Brutto, From = 100, To = 5000 };
        filtered.CurrencyCodes = [CurrencyCode.PLN];
        filtered.InvoiceTypes = [InvoiceType.Vat];
        filtered.InvoicingMode = InvoicingMode.Online;
        filtered.FormType = InvoiceQueryFormType.FA;
        filtered.IsSelfInvoicing = false;
        filtered.HasAttachment = false;
        filtered.SellerNip = nip;
        await invoices.QueryInvoiceMetadataAsync(filtered, pageSize: 10, cancellationToken: ct);

        Assert.NotNull(ksefNumber);
        Assert.NotNull((await invoices.GetInvoiceAsync(ksefNumber, ct)).ContentHash);
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(client, ct);
        var references = new List<string>();
        foreach (var compression in new CompressionType?[] { null, CompressionType.Zip, CompressionType.TarGz })
        {
            var filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.Invoicing);
            filters.DateRange.To = Seeder.Anchor.AddHours(2);
            var started = await invoices.ExportInvoicesAsync(new InvoiceExportRequest { Encryption = encryption, Filters = filters, CompressionType = compression }, ct);
            references.Add(started.ReferenceNumber);
            await invoices.GetInvoiceExportStatusAsync(started.ReferenceNumber, ct);
        }
        var truncated = await invoices.ExportInvoicesAsync(new InvoiceExportRequest
        {
            Encryption = encryption,
            Filters = Filters(InvoiceQuerySubjectType.Subject1, InvoiceQueryDateType.PermanentStorage, restrict: true),
            OnlyMetadata = true,
        }, ct);
        references.Add(truncated.ReferenceNumber);
        sandbox.Clock.Advance(sandbox.Services.GetRequiredService<SandboxOptions>().ProcessingDelay + TimeSpan.FromSeconds(1));
        foreach (var reference in references)
        {
            var status = await invoices.GetInvoiceExportStatusAsync(reference, ct);
            Assert.Equal(200, status.Status.Code);
        }
    }

    /// <summary>An XAdES sign-in: its client (holding the access token), its authentication reference and both tokens.</summary>
    private sealed record SignedIn(KsefClient Client, KsefTestKit.TokenHandler Handler, string Reference, string Access, string Refresh);

    /// <summary>
    /// Signs in with a self-signed certificate (SERIALNUMBER=TINPL-{NIP} makes its holder that NIP: the owner of the
    /// context when it is the context's NIP, else a person who needs grants); a context the sandbox does not know yet
    /// comes into being with its owner's first sign-in.
    /// </summary>
    private async Task<SignedIn> SignInAsync(string contextNip, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, CancellationToken ct)
    {
        var (client, handler) = KsefTestKit.Client(sandbox, observer: log.Observer());
        var challenge = await client.Authentication.GetAuthChallengeAsync(ct);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(AuthFlowTests.SignedAuthRequest(challenge.Challenge, contextNip, certificate), cancellationToken: ct);
        handler.Token = started.AuthenticationToken.Token;
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(200, (await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, ct)).Status.Code);
        var tokens = await client.Authentication.RedeemTokenAsync(ct);
        handler.Token = tokens.AccessToken.Token;
        return new SignedIn(client, handler, started.ReferenceNumber, tokens.AccessToken.Token, tokens.RefreshToken.Token);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate(string nip)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        return new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN=Contract Test, SERIALNUMBER=TINPL-{nip}", key,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>
    /// "Aktywne sesje", "Tokeny KSeF", "Limity i ograniczenia", the permission routes and "Dane testowe", in contexts of
    /// their own (fresh NIPs signed in with XAdES): what they change (revoked sessions, limits, grants, a blocked
    /// context) touches nothing the other drives use. Every route in its success shape, every kind of 400 it has in both
    /// formats, 403 where the sandbox gives one, and 401 on the routes that take a token.
    /// </summary>
    private async Task AccessManagementAsync(CancellationToken ct)
    {
        var random = new Random(20261119);
        var nip = Identifiers.KsefIdentifiers.NewNip(random);
        using var ownerCertificate = Certificate(nip);
        var owner = await SignInAsync(nip, ownerCertificate, ct);

        // Aktywne sesje: eleven sessions (two pages at the smallest page size), revoked by reference, and the current
        // session revoked with its access token and with its refresh token.
        var signedIn = new List<SignedIn> { owner };
        for (var i = 0; i < 10; i++) signedIn.Add(await SignInAsync(nip, ownerCertificate, ct));
        var active = owner.Client.ActiveSessions;
        var firstPage = await active.GetActiveSessionsAsync(pageSize: 10, cancellationToken: ct);
        Assert.NotNull(firstPage.ContinuationToken);
        await active.GetActiveSessionsAsync(pageSize: 10, continuationToken: firstPage.ContinuationToken, cancellationToken: ct);
        await active.GetActiveSessionsAsync(cancellationToken: ct);
        await active.RevokeSessionAsync(signedIn[1].Reference, ct);
        await signedIn[2].Client.ActiveSessions.RevokeCurrentSessionAsync(ct);
        signedIn[3].Handler.Token = signedIn[3].Refresh;
        await signedIn[3].Client.ActiveSessions.RevokeCurrentSessionAsync(ct);
        Assert.Equal(8, (await active.GetActiveSessionsAsync(pageSize: 100, cancellationToken: ct)).Items.Count);

        // Tokeny KSeF: eleven tokens (two pages), Pending, then Active, one Revoked; every status filter, the text and
        // author filters.
        var tokens = owner.Client.Tokens;
        var generated = new List<GenerateTokenResponse>();
        for (var i = 0; i < 11; i++)
        {
            generated.Add(await tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.InvoiceRead, TokenPermissionType.InvoiceWrite], Description = $"Contract {i}" }, ct));
        }
        Assert.Equal(AuthenticationTokenStatus.Pending, (await tokens.GetTokenAsync(generated[0].ReferenceNumber, ct)).Status);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AuthenticationTokenStatus.Active, (await tokens.GetTokenAsync(generated[0].ReferenceNumber, ct)).Status);
        await tokens.RevokeTokenAsync(generated[1].ReferenceNumber, ct);
        Assert.Equal(AuthenticationTokenStatus.Revoked, (await tokens.GetTokenAsync(generated[1].ReferenceNumber, ct)).Status);
        var tokenPage = await tokens.GetTokensAsync(pageSize: 10, cancellationToken: ct);
        Assert.NotNull(tokenPage.ContinuationToken);
        await tokens.GetTokensAsync(pageSize: 10, continuationToken: tokenPage.ContinuationToken, cancellationToken: ct);
        foreach (var status in AuthenticationTokenStatus.KnownValues) await tokens.GetTokensAsync(status: [status], cancellationToken: ct);
        await tokens.GetTokensAsync(description: "contract 1", authorIdentifier: nip, authorIdentifierType: TokenAuthorIdentifierType.Nip, pageSize: 100, cancellationToken: ct);

        // Limity i ograniczenia: read, set, read again, restore; the production budgets.
        var limits = owner.Client.Limits;
        await limits.GetContextLimitsAsync(ct);
        await limits.GetSubjectLimitsAsync(ct);
        await owner.Client.Certificates.GetCertificateLimitsAsync(ct);
        await owner.Client.PermissionOperations.GetAttachmentPermissionStatusAsync(ct);
        var rates = await limits.GetRateLimitsAsync(ct);
        await limits.SetSessionLimitsAsync(SessionLimits(1), ct);
        await limits.GetContextLimitsAsync(ct);
        await limits.RestoreDefaultSessionLimitsAsync(ct);
        await limits.SetCertificateLimitsAsync(new SetSubjectLimitsRequest
        {
            Certificate = new CertificateSubjectLimitsOverride { MaxCertificates = 7 },
            Enrollment = new EnrollmentSubjectLimitsOverride { MaxEnrollments = 3 },
        }, ct);
        await limits.GetSubjectLimitsAsync(ct);
        await owner.Client.Certificates.GetCertificateLimitsAsync(ct);
        await limits.RestoreDefaultCertificateLimitsAsync(ct);
        await limits.SetRateLimitsAsync(new SetRateLimitsRequest { RateLimits = RateOverride(rates, 5) }, ct);
        await limits.GetRateLimitsAsync(ct);
        await limits.RestoreDefaultRateLimitsAsync(ct);
        await limits.SetProductionRateLimitsAsync(ct);
        await limits.GetRateLimitsAsync(ct);
        await limits.RestoreDefaultRateLimitsAsync(ct);

        // Permissions: a person and an entity granted, the operations, both queries (filtered and not), the person
        // signed in with its grant, the grants revoked.
        var employee = Identifiers.KsefIdentifiers.NewNip(random);
        using var employeeCertificate = Certificate(employee);
        var grants = owner.Client.PermissionGrants;
        var personGrant = await grants.GrantPersonPermissionsAsync(PersonGrant(employee), ct);
        var entityGrant = await grants.GrantEntityPermissionsAsync(new EntityPermissionsGrantRequest
        {
            SubjectIdentifier = new EntityPermissionsSubjectIdentifier { Type = EntityPermissionsSubjectIdentifierType.Nip, Value = Identifiers.KsefIdentifiers.NewNip(random) },
            Permissions = [new EntityPermission { Type = EntityPermissionType.InvoiceRead, CanDelegate = false }],
            Description = "Biuro rachunkowe",
            SubjectDetails = new EntityDetails { FullName = "Biuro Rachunkowe Sp. z o.o." },
        }, ct);
        Assert.Equal(200, (await owner.Client.PermissionOperations.GetPermissionOperationStatusAsync(personGrant.ReferenceNumber, ct)).Status.Code);
        await owner.Client.PermissionOperations.GetPermissionOperationStatusAsync(entityGrant.ReferenceNumber, ct);
        var queries = owner.Client.PermissionQueries;
        var granted = await queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, cancellationToken: ct);
        Assert.Equal(2, granted.Permissions.Count);
        await queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest
        {
            QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext,
            AuthorizedIdentifier = new PersonPermissionsAuthorizedIdentifier { Type = PersonPermissionsAuthorizedIdentifierType.Nip, Value = employee },
            PermissionTypes = [PersonPermissionType.InvoiceWrite],
        }, 0, 10, ct);
        await queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, 1, 100, ct);
        var worker = await SignInAsync(nip, employeeCertificate, ct);
        Assert.Single((await worker.Client.PermissionQueries.QueryPersonalPermissionsAsync(new PersonalPermissionsQueryRequest(), cancellationToken: ct)).Permissions);
        await worker.Client.PermissionQueries.QueryPersonalPermissionsAsync(new PersonalPermissionsQueryRequest
        {
            ContextIdentifier = new PersonalPermissionsContextIdentifier { Type = PersonalPermissionsContextIdentifierType.Nip, Value = nip },
            PermissionTypes = [PersonalPermissionType.InvoiceWrite],
        }, 0, 10, ct);
        await queries.QueryPersonalPermissionsAsync(new PersonalPermissionsQueryRequest(), cancellationToken: ct);
        var entityGrantId = granted.Permissions.Single(p => p.AuthorizedIdentifier.Value != employee).Id;
        var grantOperation = await owner.Client.PermissionRevocations.RevokePermissionAsync(entityGrantId, ct);
        await owner.Client.PermissionOperations.GetPermissionOperationStatusAsync(grantOperation.ReferenceNumber, ct);

        // 403: a person without CredentialsManage or CredentialsRead granting, reading and revoking permissions.
        await Forbidden(() => worker.Client.PermissionGrants.GrantPersonPermissionsAsync(PersonGrant(Identifiers.KsefIdentifiers.NewNip(random)), ct));
        await Forbidden(() => worker.Client.PermissionQueries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, cancellationToken: ct));
        await Forbidden(() => worker.Client.PermissionRevocations.RevokePermissionAsync(granted.Permissions[0].Id, ct));
        await Forbidden(() => worker.Client.PermissionOperations.GetAttachmentPermissionStatusAsync(ct));

        var problemDetails = false;
        foreach (var format in new[] { false, true })
        {
            problemDetails = format;
            foreach (var handler in new[] { owner.Handler, worker.Handler })
            {
                if (problemDetails) handler.Headers[KsefResults.ErrorFormatHeader] = "problem-details";
                else handler.Headers.Remove(KsefResults.ErrorFormatHeader);
            }
            // Aktywne sesje: page sizes, a continuation token, a session that is not there.
            await Bad(() => active.GetActiveSessionsAsync(pageSize: 9, cancellationToken: ct), 21405);
            await Bad(() => active.GetActiveSessionsAsync(pageSize: 101, cancellationToken: ct), 21405);
            await Bad(() => active.GetActiveSessionsAsync(continuationToken: "not-a-token", cancellationToken: ct), 21418);
            await Bad(() => active.RevokeSessionAsync(MissingReference.Replace("-SO-", "-AU-", StringComparison.Ordinal), ct), 21405);
            await RawBad("auth/sessions?pageSize=abc", owner.Access, problemDetails, ct);

            // Tokeny KSeF: no permissions, a description too long, permissions the caller lacks (26001), page sizes, a
            // continuation token, an unknown status, a token that is not there.
            await Bad(() => tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [], Description = "none" }, ct), 21405);
            await Bad(() => tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.InvoiceRead], Description = new string('x', 257) }, ct), 21405);
            await Bad(() => worker.Client.Tokens.GenerateTokenAsync(new GenerateTokenRequest { Permissions = [TokenPermissionType.InvoiceWrite], Description = "worker" }, ct), 26001);
            await Bad(() => tokens.GetTokensAsync(pageSize: 9, cancellationToken: ct), 21405);
            await Bad(() => tokens.GetTokensAsync(pageSize: 101, cancellationToken: ct), 21405);
            await Bad(() => tokens.GetTokensAsync(continuationToken: "not-a-token", cancellationToken: ct), 21418);
            await RawBad("tokens?status=Sometimes", owner.Access, problemDetails, ct);
            var missingToken = MissingReference.Replace("-SO-", "-EC-", StringComparison.Ordinal);
            await Bad(() => tokens.GetTokenAsync(missingToken, ct), 21405);
            await Bad(() => tokens.RevokeTokenAsync(missingToken, ct), 21405);
            await Bad(() => worker.Client.Tokens.RevokeTokenAsync(generated[2].ReferenceNumber, ct), 21405);
            await RawBad("tokens", owner.Access, problemDetails, ct, HttpMethod.Post);

            // Limity: values below 1, negative counts, missing budgets, bodies that are not JSON.
            await Bad(() => limits.SetSessionLimitsAsync(SessionLimits(0), ct), 21405);
            await Bad(() => limits.SetCertificateLimitsAsync(new SetSubjectLimitsRequest { Certificate = new CertificateSubjectLimitsOverride { MaxCertificates = -1 } }, ct), 21405);
            await Bad(() => limits.SetRateLimitsAsync(new SetRateLimitsRequest { RateLimits = RateOverride(rates, 0) }, ct), 21405);
            foreach (var path in new[] { "testdata/limits/context/session", "testdata/limits/subject/certificate", "testdata/rate-limits" })
            {
                await RawBad(path, owner.Access, problemDetails, ct, HttpMethod.Post);
            }
            await RawBad("testdata/rate-limits", owner.Access, problemDetails, ct, HttpMethod.Post, "{}");

            // Permissions: no subject, an entity that is not a NIP, unknown grants and operations, bodies that are not
            // JSON, a page offset that is not a number.
            var noSubject = PersonGrant("");
            await Bad(() => grants.GrantPersonPermissionsAsync(noSubject, ct), 21405);
            await Bad(() => grants.GrantEntityPermissionsAsync(new EntityPermissionsGrantRequest
            {
                SubjectIdentifier = new EntityPermissionsSubjectIdentifier { Type = EntityPermissionsSubjectIdentifierType.Nip, Value = "1234567890" },
                Permissions = [new EntityPermission { Type = EntityPermissionType.InvoiceRead }],
                Description = "x",
                SubjectDetails = new EntityDetails { FullName = "x" },
            }, ct), 21405);
            await Bad(() => owner.Client.PermissionRevocations.RevokePermissionAsync(Guid.Empty.ToString(), ct), 21405);
            await Bad(() => owner.Client.PermissionOperations.GetPermissionOperationStatusAsync(MissingReference.Replace("-SO-", "-OP-", StringComparison.Ordinal), ct), 21405);
            foreach (var path in new[] { "permissions/persons/grants", "permissions/entities/grants", "permissions/query/persons/grants", "permissions/query/personal/grants" })
            {
                await RawBad(path, owner.Access, problemDetails, ct, HttpMethod.Post);
            }
            await RawBad("permissions/query/personal/grants?pageOffset=first", owner.Access, problemDetails, ct, HttpMethod.Post, "{}");
            await Bad(() => queries.QueryPersonalPermissionsAsync(new PersonalPermissionsQueryRequest(), pageOffset: -1, cancellationToken: ct), 21405);
            await Bad(() => queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, pageSize: 9, cancellationToken: ct), 21405);
            await Bad(() => queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, pageSize: 101, cancellationToken: ct), 21405);
            await RawBad("permissions/query/persons/grants?pageSize=many", owner.Access, problemDetails, ct, HttpMethod.Post, """{"queryType":"PermissionsGrantedInCurrentContext"}""");
        }

        await TestDataAsync(random, ct);

        // The person's grant, revoked by the owner.
        foreach (var grant in (await queries.QueryPersonPermissionsAsync(new PersonPermissionsQueryRequest { QueryType = PersonPermissionsQueryType.PermissionsGrantedInCurrentContext }, cancellationToken: ct)).Permissions)
        {
            await owner.Client.PermissionRevocations.RevokePermissionAsync(grant.Id, ct);
        }

        // The owner's last session, revoked with its refresh token.
        owner.Handler.Headers.Remove(KsefResults.ErrorFormatHeader);
        owner.Handler.Token = owner.Refresh;
        await owner.Client.ActiveSessions.RevokeCurrentSessionAsync(ct);

        await AccessManagementUnauthorizedAsync(generated[0].ReferenceNumber, personGrant.ReferenceNumber, ct);

        static async Task Forbidden(Func<Task> call) =>
            Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<KsefApiException>(call)).StatusCode);

        async Task Bad(Func<Task> call, int code)
        {
            var error = await Assert.ThrowsAsync<KsefApiException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            Assert.Equal(problemDetails, error.IsProblemDetails);
            Assert.Equal(code, error.ExceptionCode);
        }

        static SetSessionLimitsRequest SessionLimits(int maxInvoices) => new()
        {
            OnlineSession = new OnlineSessionContextLimitsOverride { MaxInvoices = maxInvoices, MaxInvoiceSizeInMB = 2, MaxInvoiceWithAttachmentSizeInMB = 4 },
            BatchSession = new BatchSessionContextLimitsOverride { MaxInvoices = maxInvoices, MaxInvoiceSizeInMB = 2, MaxInvoiceWithAttachmentSizeInMB = 4 },
        };

        static PersonPermissionsGrantRequest PersonGrant(string who) => new()
        {
            SubjectIdentifier = new PersonPermissionsSubjectIdentifier { Type = PersonPermissionsSubjectIdentifierType.Nip, Value = who },
            Permissions = [PersonPermissionType.InvoiceWrite],
            Description = "Wystawia faktury",
            SubjectDetails = new PersonPermissionSubjectDetails { SubjectDetailsType = PersonPermissionSubjectDetailsType.PersonByIdentifier },
        };
    }

    /// <summary>Every budget as it is, "other" per second set to <paramref name="otherPerSecond"/>.</summary>
    private static ApiRateLimitsOverride RateOverride(EffectiveApiRateLimits current, int otherPerSecond)
    {
        static ApiRateLimitValuesOverride V(EffectiveApiRateLimitValues v) => new() { PerSecond = v.PerSecond, PerMinute = v.PerMinute, PerHour = v.PerHour };
        return new ApiRateLimitsOverride
        {
            OnlineSession = V(current.OnlineSession), BatchSession = V(current.BatchSession), InvoiceSend = V(current.InvoiceSend),
            InvoiceStatus = V(current.InvoiceStatus), SessionList = V(current.SessionList), SessionInvoiceList = V(current.SessionInvoiceList),
            SessionMisc = V(current.SessionMisc), InvoiceMetadata = V(current.InvoiceMetadata), InvoiceExport = V(current.InvoiceExport),
            InvoiceExportStatus = V(current.InvoiceExportStatus), InvoiceDownload = V(current.InvoiceDownload),
            Other = new ApiRateLimitValuesOverride { PerSecond = otherPerSecond, PerMinute = current.Other.PerMinute, PerHour = current.Other.PerHour },
        };
    }

    /// <summary>
    /// "Dane testowe" (no token), on NIPs nobody else uses: a VAT group with a subunit, grants, a person (and 30001 for
    /// its PESEL again), attachments, a blocked and unblocked context, each undone; 400 in both formats.
    /// </summary>
    private async Task TestDataAsync(Random random, CancellationToken ct)
    {
        var (client, handler) = KsefTestKit.Client(sandbox, observer: log.Observer());
        var data = client.TestData;
        var subject = Identifiers.KsefIdentifiers.NewNip(random);
        var helper = Identifiers.KsefIdentifiers.NewNip(random);
        var personNip = Identifiers.KsefIdentifiers.NewNip(random);
        var pesel = string.Concat(Enumerable.Range(0, 11).Select(_ => (char)('0' + random.Next(10))));
        TestDataContextIdentifier Context(string nip) => new() { Type = TestDataContextIdentifierType.Nip, Value = nip };
        TestDataAuthorizedIdentifier Authorized(string nip) => new() { Type = TestDataAuthorizedIdentifierType.Nip, Value = nip };
        TestDataAuthenticationContextIdentifier Blocked(string nip) => new() { Type = TestDataAuthenticationContextIdentifierType.Nip, Value = nip };

        await data.CreateSubjectAsync(new SubjectCreateRequest
        {
            SubjectNip = subject,
            SubjectType = SubjectType.VatGroup,
            Description = "Grupa VAT",
            Subunits = [new Subunit { SubjectNip = Identifiers.KsefIdentifiers.NewNip(random), Description = "Członek grupy" }],
        }, ct);
        await data.GrantPermissionsAsync(new TestDataPermissionsGrantRequest
        {
            ContextIdentifier = Context(subject),
            AuthorizedIdentifier = Authorized(helper),
            Permissions = [new TestDataPermission { PermissionType = TestDataPermissionType.InvoiceRead, Description = "Czyta faktury" }],
        }, ct);
        await data.RevokePermissionsAsync(new TestDataPermissionsRevokeRequest { ContextIdentifier = Context(subject), AuthorizedIdentifier = Authorized(helper) }, ct);
        await data.CreatePersonAsync(new PersonCreateRequest { Nip = personNip, Pesel = pesel, IsBailiff = false, Description = "JDG" }, ct);
        await data.EnableAttachmentsAsync(new AttachmentPermissionGrantRequest { Nip = subject }, ct);
        await data.DisableAttachmentsAsync(new AttachmentPermissionRevokeRequest { Nip = subject }, ct);
        await data.BlockContextAuthenticationAsync(new BlockContextAuthenticationRequest { ContextIdentifier = Blocked(subject) }, ct);
        await data.UnblockContextAuthenticationAsync(new UnblockContextAuthenticationRequest { ContextIdentifier = Blocked(subject) }, ct);

        var problemDetails = false;
        foreach (var format in new[] { false, true })
        {
            problemDetails = format;
            if (problemDetails) handler.Headers[KsefResults.ErrorFormatHeader] = "problem-details";
            await Bad(() => data.CreateSubjectAsync(new SubjectCreateRequest { SubjectNip = "1234567890", SubjectType = SubjectType.JST, Description = "x" }, ct), 21405);
            await Bad(() => data.RemoveSubjectAsync(new SubjectRemoveRequest { SubjectNip = "1234567890" }, ct), 21405);
            await Bad(() => data.CreatePersonAsync(new PersonCreateRequest { Nip = personNip, Pesel = pesel, IsBailiff = false, Description = "again" }, ct), 30001);
            await Bad(() => data.CreatePersonAsync(new PersonCreateRequest { Nip = personNip, Pesel = "123", IsBailiff = false, Description = "x" }, ct), 21405);
            await Bad(() => data.RemovePersonAsync(new PersonRemoveRequest { Nip = "1234567890" }, ct), 21405);
            await Bad(() => data.GrantPermissionsAsync(new TestDataPermissionsGrantRequest { ContextIdentifier = Context("1234567890"), AuthorizedIdentifier = Authorized(helper), Permissions = [] }, ct), 21405);
            await Bad(() => data.EnableAttachmentsAsync(new AttachmentPermissionGrantRequest { Nip = "1234567890" }, ct), 21405);
            await Bad(() => data.DisableAttachmentsAsync(new AttachmentPermissionRevokeRequest { Nip = "1234567890" }, ct), 21405);
            foreach (var path in new[] { "subject", "subject/remove", "person", "person/remove", "permissions", "permissions/revoke", "attachment", "attachment/revoke", "context/block", "context/unblock" })
            {
                await RawBad("testdata/" + path, null, problemDetails, ct, HttpMethod.Post);
            }
            await RawBad("testdata/permissions/revoke", null, problemDetails, ct, HttpMethod.Post, "{}");
            await RawBad("testdata/context/block", null, problemDetails, ct, HttpMethod.Post, "{}");
            await RawBad("testdata/context/unblock", null, problemDetails, ct, HttpMethod.Post, """{"contextIdentifier":{"type":"Nip","value":" "}}""");
        }

        await data.RemovePersonAsync(new PersonRemoveRequest { Nip = personNip }, ct);
        await data.RemoveSubjectAsync(new SubjectRemoveRequest { SubjectNip = subject }, ct);

        async Task Bad(Func<Task> call, int code)
        {
            var error = await Assert.ThrowsAsync<KsefApiException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            Assert.Equal(problemDetails, error.IsProblemDetails);
            Assert.Equal(code, error.ExceptionCode);
        }
    }

    /// <summary>401 on the access-management routes that take a token (none, a forged one); "Dane testowe" takes none.</summary>
    private async Task AccessManagementUnauthorizedAsync(string tokenReference, string operationReference, CancellationToken ct)
    {
        const string empty = "{}";
        (HttpMethod Method, string Path, string? Body)[] calls =
        [
            (HttpMethod.Get, "auth/sessions", null),
            (HttpMethod.Delete, "auth/sessions/current", null),
            (HttpMethod.Delete, $"auth/sessions/{MissingReference.Replace("-SO-", "-AU-", StringComparison.Ordinal)}", null),
            (HttpMethod.Post, "tokens", """{"permissions":["InvoiceRead"],"description":"x"}"""),
            (HttpMethod.Get, "tokens", null),
            (HttpMethod.Get, $"tokens/{tokenReference}", null),
            (HttpMethod.Delete, $"tokens/{tokenReference}", null),
            (HttpMethod.Get, "limits/context", null),
            (HttpMethod.Get, "limits/subject", null),
            (HttpMethod.Get, "rate-limits", null),
            (HttpMethod.Get, "certificates/limits", null),
            (HttpMethod.Post, "testdata/limits/context/session", empty),
            (HttpMethod.Delete, "testdata/limits/context/session", null),
            (HttpMethod.Post, "testdata/limits/subject/certificate", empty),
            (HttpMethod.Delete, "testdata/limits/subject/certificate", null),
            (HttpMethod.Post, "testdata/rate-limits", empty),
            (HttpMethod.Delete, "testdata/rate-limits", null),
            (HttpMethod.Post, "testdata/rate-limits/production", null),
            (HttpMethod.Post, "permissions/persons/grants", empty),
            (HttpMethod.Post, "permissions/entities/grants", empty),
            (HttpMethod.Delete, $"permissions/common/grants/{Guid.Empty}", null),
            (HttpMethod.Get, $"permissions/operations/{operationReference}", null),
            (HttpMethod.Get, "permissions/attachments/status", null),
            (HttpMethod.Post, "permissions/query/persons/grants", """{"queryType":"PermissionsGrantedInCurrentContext"}"""),
            (HttpMethod.Post, "permissions/query/personal/grants", empty),
        ];
        using var http = log.PlainClient(sandbox.BaseAddress);
        foreach (var bearer in new[] { null, "eyJmb3JnZWQ.AAAA" })
        {
            foreach (var (method, path, body) in calls)
            {
                using var request = new HttpRequestMessage(method, "v2/" + path);
                if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                using var response = await http.SendAsync(request, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    /// <summary>401 on the receiving routes (no token; a forged one).</summary>
    private async Task ReceivingUnauthorizedAsync(string nip, CancellationToken ct)
    {
        var ksefNumber = sandbox.Store.SessionsOf(nip).SelectMany(s => s.Invoices).First(i => i.Status == 200).KsefNumber;
        var filters = """{"subjectType":"Subject1","dateRange":{"dateType":"Invoicing","from":"2026-11-01T00:00:00Z"}}""";
        (HttpMethod Method, string Path, string? Body)[] calls =
        [
            (HttpMethod.Post, "invoices/query/metadata", filters),
            (HttpMethod.Get, $"invoices/ksef/{ksefNumber}", null),
            (HttpMethod.Post, "invoices/exports", $$"""{"encryption":{"encryptedSymmetricKey":"AAAA","initializationVector":"AAAAAAAAAAAAAAAAAAAAAA=="},"filters":{{filters}}}"""),
            (HttpMethod.Get, $"invoices/exports/{MissingReference.Replace("-SO-", "-EH-", StringComparison.Ordinal)}", null),
        ];
        using var http = log.PlainClient(sandbox.BaseAddress);
        foreach (var bearer in new[] { null, "eyJmb3JnZWQ.AAAA" })
        {
            foreach (var (method, path, body) in calls)
            {
                using var request = new HttpRequestMessage(method, "v2/" + path);
                if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                using var response = await http.SendAsync(request, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    private SessionRecord Large(string nip) => sandbox.Store.SessionsOf(nip).Single(s => s.Invoices.Count == SandboxFixture.LargeSession);

    private async Task SessionListsAsync(KsefClient client, string nip, CancellationToken ct)
    {
        var sessions = client.SessionStatus;
        foreach (var type in new[] { SessionType.Online, SessionType.Batch })
        {
            // Every page at the smallest page size, then one big page.
            var seen = 0;
            string? next = null;
            do
            {
                var page = await sessions.GetSessionsAsync(type, pageSize: 10, continuationToken: next, cancellationToken: ct);
                seen += page.Sessions.Count;
                next = page.ContinuationToken;
            }
            while (next is not null);
            Assert.Equal(sandbox.Store.SessionsOf(nip).Count(s => s.IsBatch == (type == SessionType.Batch)), seen);
            await sessions.GetSessionsAsync(type, pageSize: 1000, cancellationToken: ct);

            foreach (var status in CommonSessionStatus.KnownValues)
            {
                await sessions.GetSessionsAsync(type, pageSize: 100, statuses: [status], cancellationToken: ct);
            }
        }

        var all = sandbox.Store.SessionsOf(nip).ToList();
        var online = all.First(s => !s.IsBatch && s.Closed is not null);
        var one = await sessions.GetSessionsAsync(SessionType.Online, referenceNumber: online.ReferenceNumber, cancellationToken: ct);
        Assert.Equal(online.ReferenceNumber, Assert.Single(one.Sessions).ReferenceNumber);
        var from = all.Min(s => s.Created);
        var to = all.Max(s => s.Created);
        await sessions.GetSessionsAsync(SessionType.Batch, pageSize: 100, dateCreatedFrom: from, dateCreatedTo: to, cancellationToken: ct);
        await sessions.GetSessionsAsync(SessionType.Batch, pageSize: 100, dateClosedFrom: from, dateClosedTo: to.AddDays(1), cancellationToken: ct);
        await sessions.GetSessionsAsync(SessionType.Online, pageSize: 100, dateModifiedFrom: from, dateModifiedTo: to.AddDays(1),
            statuses: [CommonSessionStatus.Failed, CommonSessionStatus.Cancelled], cancellationToken: ct);
        var none = await sessions.GetSessionsAsync(SessionType.Online, referenceNumber: MissingReference, cancellationToken: ct);
        Assert.Empty(none.Sessions);
    }

    private async Task SessionStatusesAsync(KsefClient client, string nip, CancellationToken ct)
    {
        // Every seeded session: every online and batch session code, the 200 ones with UPO pages.
        foreach (var session in sandbox.Store.SessionsOf(nip))
        {
            var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, ct);
            Assert.Equal(session.Status, status.Status.Code);
            Assert.Equal(session.Status == 200, status.Upo is not null);
        }
    }

    private async Task InvoiceListsAsync(KsefClient client, string nip, CancellationToken ct)
    {
        foreach (var session in sandbox.Store.SessionsOf(nip))
        {
            var pageSize = session.Invoices.Count > 100 ? 1000 : 10;
            foreach (var failed in new[] { false, true })
            {
                string? next = null;
                do
                {
                    var page = failed
                        ? await client.SessionStatus.GetSessionFailedInvoicesAsync(session.ReferenceNumber, pageSize, next, ct)
                        : await client.SessionStatus.GetSessionInvoicesAsync(session.ReferenceNumber, pageSize, next, ct);
                    next = page.ContinuationToken;
                }
                while (next is not null);
            }
        }
    }

    private async Task SingleInvoicesAsync(KsefClient client, string nip, CancellationToken ct)
    {
        var codes = new SortedSet<int>();
        foreach (var session in sandbox.Store.SessionsOf(nip))
        {
            // Every invoice of the small sessions (every code, 440 with extensions), a few of the large one.
            foreach (var invoice in session.Invoices.Count > 100 ? session.Invoices.Where(i => i.OrdinalNumber % 500 == 7) : session.Invoices)
            {
                var served = await client.SessionStatus.GetSessionInvoiceAsync(session.ReferenceNumber, invoice.ReferenceNumber, ct);
                codes.Add(served.Status.Code);
                if (served.Status.Code == 440) Assert.NotNull(served.Status.OriginalKsefNumber);
            }
        }
        Assert.Equal(sandbox.Store.SessionsOf(nip).SelectMany(s => s.Invoices).Select(i => i.Status).ToHashSet().Order(), codes);
    }

    private async Task UposAsync(KsefClient client, string nip, CancellationToken ct)
    {
        foreach (var session in sandbox.Store.SessionsOf(nip).Where(s => s.Status == 200))
        {
            var status = await client.SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, ct);
            foreach (var page in status.Upo!.Pages)
            {
                var upo = await client.SessionStatus.GetSessionUpoAsync(session.ReferenceNumber, page.ReferenceNumber, ct);
                Assert.NotNull(upo.ContentHash);
            }
            foreach (var invoice in session.Invoices.Where(i => i.Status == 200).Take(3))
            {
                Assert.NotNull((await client.SessionStatus.GetSessionInvoiceUpoByKsefNumberAsync(session.ReferenceNumber, invoice.KsefNumber!, ct)).ContentHash);
                Assert.NotNull((await client.SessionStatus.GetSessionInvoiceUpoByReferenceNumberAsync(session.ReferenceNumber, invoice.ReferenceNumber, ct)).ContentHash);
            }
        }
    }

    /// <summary>Every kind of 400 each route gives, in the format the client asks for.</summary>
    private async Task BadRequestsAsync(KsefClient client, string nip, string token, bool problemDetails, CancellationToken ct)
    {
        var status = client.SessionStatus;
        var large = Large(nip);
        var foreign = Large(sandbox.Store.Contexts[1].Nip);
        var rejectedSession = sandbox.Store.SessionsOf(nip).First(s => s.Status == 200 && s.Invoices.Any(i => i.Status != 200));
        var rejected = rejectedSession.Invoices.First(i => i.Status != 200);
        var notAccepted = sandbox.Store.SessionsOf(nip).First(s => s.Status != 200);

        // GET /sessions
        await Bad(() => status.GetSessionsAsync(SessionType.Online, pageSize: 9, cancellationToken: ct));
        await Bad(() => status.GetSessionsAsync(SessionType.Batch, pageSize: 1001, cancellationToken: ct));
        await Bad(() => status.GetSessionsAsync(SessionType.Batch, continuationToken: "not-a-token", cancellationToken: ct));
        foreach (var query in new[] { "", "?sessionType=Sometimes", "?sessionType=Online&pageSize=abc", "?sessionType=Online&dateCreatedFrom=yesterday", "?sessionType=Online&statuses=Maybe" })
        {
            await RawBad("sessions" + query, token, problemDetails, ct);
        }

        // GET /sessions/{referenceNumber}
        await Bad(() => status.GetSessionStatusAsync("not-a-reference-number", ct));
        await Bad(() => status.GetSessionStatusAsync(MissingReference, ct));
        await Bad(() => status.GetSessionStatusAsync(foreign.ReferenceNumber, ct));

        // GET /sessions/{referenceNumber}/invoices and /invoices/failed
        await Bad(() => status.GetSessionInvoicesAsync(large.ReferenceNumber, pageSize: 9, cancellationToken: ct));
        await Bad(() => status.GetSessionInvoicesAsync(large.ReferenceNumber, continuationToken: "%%%", cancellationToken: ct));
        await Bad(() => status.GetSessionInvoicesAsync(MissingReference, cancellationToken: ct));
        await Bad(() => status.GetSessionFailedInvoicesAsync(large.ReferenceNumber, pageSize: 1001, cancellationToken: ct));
        await Bad(() => status.GetSessionFailedInvoicesAsync(large.ReferenceNumber, continuationToken: "%%%", cancellationToken: ct));
        await Bad(() => status.GetSessionFailedInvoicesAsync(foreign.ReferenceNumber, cancellationToken: ct));
        await RawBad("sessions/%20%7B%7D/invoices?pageSize=-1", token, problemDetails, ct);

        // GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}
        await Bad(() => status.GetSessionInvoiceAsync(large.ReferenceNumber, "not-a-reference", ct));
        await Bad(() => status.GetSessionInvoiceAsync(large.ReferenceNumber, foreign.Invoices[0].ReferenceNumber, ct));
        await Bad(() => status.GetSessionInvoiceAsync(MissingReference, large.Invoices[0].ReferenceNumber, ct));

        // The three UPO routes: no UPO (21178) and no session (21173).
        await Bad(() => status.GetSessionInvoiceUpoByKsefNumberAsync(rejectedSession.ReferenceNumber, "5265877635-20250626-010080DD2B5E-26", ct));
        await Bad(() => status.GetSessionInvoiceUpoByKsefNumberAsync(MissingReference, large.Invoices.First(i => i.KsefNumber is not null).KsefNumber!, ct));
        await Bad(() => status.GetSessionInvoiceUpoByReferenceNumberAsync(rejectedSession.ReferenceNumber, rejected.ReferenceNumber, ct));
        await Bad(() => status.GetSessionInvoiceUpoByReferenceNumberAsync(MissingReference, rejected.ReferenceNumber, ct));
        await Bad(() => status.GetSessionUpoAsync(notAccepted.ReferenceNumber, MissingReference, ct));
        await Bad(() => status.GetSessionUpoAsync(large.ReferenceNumber, MissingReference, ct));

        // Pobieranie faktur: page sizes, filters, a range beyond the HWM (21183), a stranger's download (21164), an
        // unknown export (21175), a withdrawn key (21470), a body that is not JSON.
        var invoices = client.Invoices;
        InvoiceQueryFilters Filters(DateTimeOffset from, DateTimeOffset? to = null, bool? restrict = null) => new()
        {
            SubjectType = InvoiceQuerySubjectType.Subject1,
            DateRange = new InvoiceQueryDateRange { DateType = InvoiceQueryDateType.PermanentStorage, From = from, To = to, RestrictToPermanentStorageHwmDate = restrict },
        };
        var anchor = Seeder.Anchor;
        await Bad(() => invoices.QueryInvoiceMetadataAsync(Filters(anchor), pageSize: 251, cancellationToken: ct));
        await Bad(() => invoices.QueryInvoiceMetadataAsync(Filters(anchor, anchor.AddMonths(4)), cancellationToken: ct));
        await Bad(() => invoices.QueryInvoiceMetadataAsync(Filters(anchor.AddYears(1), restrict: true), cancellationToken: ct));
        var foreignInvoice = foreign.Invoices.First(i => i.Status == 200).KsefNumber!;
        var strangerNip = Identifiers.KsefIdentifiers.NewNip(new Random(7));
        sandbox.Store.EnsureContext(strangerNip);
        var stranger = await sandbox.ClientAsync(strangerNip, problemDetails, log.Observer());
        await Bad(() => stranger.Invoices.GetInvoiceAsync(foreignInvoice, ct));
        await Bad(() => invoices.GetInvoiceAsync("not-a-ksef-number", ct));
        await Bad(() => invoices.GetInvoiceExportStatusAsync(MissingReference.Replace("-SO-", "-EH-", StringComparison.Ordinal), ct));
        await Bad(() => invoices.GetInvoiceExportStatusAsync("not-a-reference", ct));
        var (_, _, encryption) = await KsefTestKit.SessionKeyAsync(client, ct);
        var withdrawn = new EncryptionInfo { EncryptedSymmetricKey = encryption.EncryptedSymmetricKey, InitializationVector = encryption.InitializationVector, PublicKeyId = new byte[32] };
        await Bad(() => invoices.ExportInvoicesAsync(new InvoiceExportRequest { Encryption = withdrawn, Filters = Filters(anchor) }, ct));
        await Bad(() => invoices.ExportInvoicesAsync(new InvoiceExportRequest { Encryption = encryption, Filters = Filters(anchor, anchor.AddMonths(4)) }, ct));
        await RawBad("invoices/query/metadata?pageOffset=-1", token, problemDetails, ct, HttpMethod.Post);

        async Task Bad(Func<Task> call)
        {
            var error = await Assert.ThrowsAsync<KsefApiException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            Assert.Equal(problemDetails, error.IsProblemDetails);
        }
    }

    private async Task RawBad(string path, string? token, bool problemDetails, CancellationToken ct, HttpMethod? method = null, string body = "{")
    {
        using var http = log.PlainClient(sandbox.BaseAddress);
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, "v2/" + path);
        if (method == HttpMethod.Post) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (problemDetails) request.Headers.Add(KsefResults.ErrorFormatHeader, "problem-details");
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>401 on every route: no token, a forged one, an expired one (the last step: it moves this sandbox's clock).</summary>
    private async Task UnauthorizedAsync(string nip, string token, CancellationToken ct)
    {
        var session = sandbox.Store.SessionsOf(nip).First(s => s.Status == 200 && s.Invoices.Count < 100);
        var invoice = session.Invoices.First(i => i.Status == 200);
        var upoPage = (await (await sandbox.ClientAsync(nip)).SessionStatus.GetSessionStatusAsync(session.ReferenceNumber, ct)).Upo!.Pages[0].ReferenceNumber;
        string[] paths =
        [
            "sessions?sessionType=Online",
            $"sessions/{session.ReferenceNumber}",
            $"sessions/{session.ReferenceNumber}/invoices",
            $"sessions/{session.ReferenceNumber}/invoices/failed",
            $"sessions/{session.ReferenceNumber}/invoices/{invoice.ReferenceNumber}",
            $"sessions/{session.ReferenceNumber}/invoices/ksef/{invoice.KsefNumber}/upo",
            $"sessions/{session.ReferenceNumber}/invoices/{invoice.ReferenceNumber}/upo",
            $"sessions/{session.ReferenceNumber}/upo/{upoPage}",
        ];
        using var http = log.PlainClient(sandbox.BaseAddress);
        foreach (var bearer in new[] { null, "eyJmb3JnZWQ.AAAA" })
        {
            foreach (var path in paths) await Unauthorized(path, bearer, problemDetails: bearer is null);
        }
        sandbox.Clock.Advance(sandbox.Services.GetRequiredService<SandboxOptions>().AccessTokenLifetime + TimeSpan.FromMinutes(1));
        foreach (var path in paths) await Unauthorized(path, token, problemDetails: false);

        async Task Unauthorized(string path, string? bearer, bool problemDetails)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v2/" + path);
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            if (problemDetails) request.Headers.Add(KsefResults.ErrorFormatHeader, "problem-details");
            using var response = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
