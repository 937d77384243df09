using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Text.Json;
using System.Xml;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>The authentication flow through the generated client: challenge → KSeF token or XAdES → status → redeem → refresh.</summary>
[Collection(SandboxCollection.Name)]
public sealed class AuthFlowTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Nip => sandbox.Store.Contexts[0].Nip;

    private string KsefToken(string nip) => sandbox.Store.KsefTokensOf(nip).First().Token;

    private async Task<InitTokenAuthenticationRequest> TokenRequestAsync(KsefClient client, string token, string contextNip, Func<long, long>? stamp = null)
    {
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        Assert.Equal(36, challenge.Challenge.Length);
        Assert.Equal(challenge.Timestamp.ToUnixTimeMilliseconds(), challenge.TimestampMs);
        var certificate = await KsefTestKit.EncryptionCertificateAsync(client, PublicKeyCertificateUsage.KsefTokenEncryption, Ct);
        var plain = Encoding.UTF8.GetBytes($"{token}|{(stamp ?? (s => s))(challenge.TimestampMs)}");
        return new InitTokenAuthenticationRequest
        {
            Challenge = challenge.Challenge,
            ContextIdentifier = new AuthenticationContextIdentifier { Type = AuthenticationContextIdentifierType.Nip, Value = contextNip },
            EncryptedToken = KsefTestKit.RsaEncrypt(certificate, plain),
        };
    }

    private async Task<AuthenticationOperationStatusResponse> FinishAsync(KsefClient client, KsefTestKit.TokenHandler handler, AuthenticationInitResponse started)
    {
        handler.Token = started.AuthenticationToken.Token;
        var pending = await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct);
        Assert.Equal(100, pending.Status.Code);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        return await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct);
    }

    [Fact]
    public async Task KsefTokenAuthenticationGivesTokensThatWorkAndRefresh()
    {
        var (client, handler) = KsefTestKit.Client(sandbox);
        var started = await client.Authentication.SubmitKsefTokenAuthRequestAsync(await TokenRequestAsync(client, KsefToken(Nip), Nip), Ct);
        Assert.Contains("-AU-", started.ReferenceNumber);
        var status = await FinishAsync(client, handler, started);
        Assert.Equal(200, status.Status.Code);
        Assert.True(new AuthenticationStatusCode(status.Status.Code).IsSuccess);
        Assert.Equal(AuthenticationMethodCategory.Token, status.AuthenticationMethodInfo.Category);
        Assert.False(status.IsTokenRedeemed);

        var tokens = await client.Authentication.RedeemTokenAsync(Ct);
        Assert.True(tokens.RefreshToken.ValidUntil > tokens.AccessToken.ValidUntil);
        // The tokens are JWTs with the short claim names the live server uses (and the official SDK decodes).
        var payload = JwtPayload(tokens.AccessToken.Token);
        Assert.Equal("ContextToken", payload.GetProperty("typ").GetString());
        Assert.Equal("Nip", payload.GetProperty("cit").GetString());
        Assert.Equal(Nip, payload.GetProperty("civ").GetString());
        Assert.Equal(started.ReferenceNumber, payload.GetProperty("arn").GetString());
        Assert.Equal("Token", payload.GetProperty("aum").GetString());
        Assert.Contains("InvoiceWrite", JsonSerializer.Deserialize<string[]>(payload.GetProperty("per").GetString()!)!);
        Assert.Contains("Owner", JsonSerializer.Deserialize<string[]>(payload.GetProperty("rol").GetString()!)!);
        using (var subject = JsonDocument.Parse(payload.GetProperty("sud").GetString()!))
        {
            Assert.Equal(Nip, subject.RootElement.GetProperty("subjectIdentifier").GetProperty("value").GetString());
        }
        Assert.Equal(tokens.AccessToken.ValidUntil.ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());

        var again = await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.RedeemTokenAsync(Ct));
        Assert.Equal(21301, again.Errors.Single().Code);
        Assert.True((await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct)).IsTokenRedeemed);

        // The operation token is not an access token, and the access token is not a refresh token.
        var wrongKind = await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKind.StatusCode);
        handler.Token = tokens.AccessToken.Token;
        var sessions = await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct);
        Assert.NotEmpty(sessions.Sessions);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.RefreshAccessTokenAsync(Ct))).StatusCode);

        // Once the access token has expired, the refresh token gets a new one.
        sandbox.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<KsefApiException>(() => client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct))).StatusCode);
        handler.Token = tokens.RefreshToken.Token;
        var refreshed = await client.Authentication.RefreshAccessTokenAsync(Ct);
        handler.Token = refreshed.AccessToken.Token;
        Assert.NotEmpty((await client.SessionStatus.GetSessionsAsync(SessionType.Batch, cancellationToken: Ct)).Sessions);
        handler.Token = started.AuthenticationToken.Token;
        Assert.NotNull((await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct)).LastTokenRefreshDate);
    }

    [Fact]
    public async Task WrongTokensFailInTheStatusAndBadRequestsFailAtOnce()
    {
        var (client, handler) = KsefTestKit.Client(sandbox);

        // A token nobody issued: 202, then status 450, and nothing to redeem.
        var unknown = await client.Authentication.SubmitKsefTokenAuthRequestAsync(await TokenRequestAsync(client, "20250101-EC-0000000000-0000000000-00|nip-" + Nip + "|00", Nip), Ct);
        var failed = await FinishAsync(client, handler, unknown);
        Assert.Equal(450, failed.Status.Code);
        Assert.True(new AuthenticationStatusCode(450).IsFailure);
        Assert.Equal(21301, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.RedeemTokenAsync(Ct))).Errors.Single().Code);

        // The right token with another timestamp than the challenge's: 450 as well.
        var stale = await client.Authentication.SubmitKsefTokenAuthRequestAsync(await TokenRequestAsync(client, KsefToken(Nip), Nip, s => s - 1000), Ct);
        Assert.Equal(450, (await FinishAsync(client, handler, stale)).Status.Code);

        // A token of one context used for another: 415 (no permissions there).
        var other = sandbox.Store.Contexts[1].Nip;
        var foreign = await client.Authentication.SubmitKsefTokenAuthRequestAsync(await TokenRequestAsync(client, KsefToken(other), Nip), Ct);
        Assert.Equal(415, (await FinishAsync(client, handler, foreign)).Status.Code);

        // A challenge works once, and for ten minutes.
        handler.Token = null;
        var request = await TokenRequestAsync(client, KsefToken(Nip), Nip);
        await client.Authentication.SubmitKsefTokenAuthRequestAsync(request, Ct);
        Assert.Equal(21111, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitKsefTokenAuthRequestAsync(request, Ct))).Errors.Single().Code);
        var old = await TokenRequestAsync(client, KsefToken(Nip), Nip);
        sandbox.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(21111, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitKsefTokenAuthRequestAsync(old, Ct))).Errors.Single().Code);

        // An unknown key id: 21470. Someone else's operation: 21304 (another token does not open it).
        var unknownKey = await TokenRequestAsync(client, KsefToken(Nip), Nip);
        unknownKey.PublicKeyId = SHA256.HashData([1, 2, 3]);
        Assert.Equal(21470, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitKsefTokenAuthRequestAsync(unknownKey, Ct))).Errors.Single().Code);
        handler.Token = unknown.AuthenticationToken.Token;
        Assert.Equal(21304, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.GetAuthStatusAsync(stale.ReferenceNumber, Ct))).Errors.Single().Code);

        // Not JSON at all: 400 in the KSeF shape.
        using var garbage = await sandbox.Http.PostAsync("v2/auth/ksef-token", new StringContent("{not json", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("21405", await garbage.Content.ReadAsStringAsync(Ct));
        using var wrongType = await sandbox.Http.PostAsync("v2/auth/ksef-token", new StringContent("token", Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
    }

    [Fact]
    public async Task XadesSignedRequestAuthenticates()
    {
        var (client, handler) = KsefTestKit.Client(sandbox);
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=Jan Kowalski, SERIALNUMBER=PNOPL-80010112345", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var signed = SignedAuthRequest(challenge.Challenge, Nip, certificate);

        var started = await client.Authentication.SubmitXadesAuthRequestAsync(signed, cancellationToken: Ct);
        var status = await FinishAsync(client, handler, started);
        Assert.Equal(200, status.Status.Code);
        Assert.Equal(AuthenticationMethodCategory.XadesSignature, status.AuthenticationMethodInfo.Category);
        Assert.NotNull((await client.Authentication.RedeemTokenAsync(Ct)).AccessToken.Token);

        handler.Token = null;
        var fresh = (await client.Authentication.GetAuthChallengeAsync(Ct)).Challenge;
        var tampered = SignedAuthRequest(fresh, Nip, certificate).Replace(Nip, sandbox.Store.Contexts[1].Nip, StringComparison.Ordinal);
        Assert.Equal(9105, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitXadesAuthRequestAsync(tampered, cancellationToken: Ct))).Errors.Single().Code);
        var unsigned = $"<AuthTokenRequest xmlns=\"http://ksef.mf.gov.pl/auth/token/2.0\"><Challenge>{fresh}</Challenge></AuthTokenRequest>";
        Assert.Equal(9102, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitXadesAuthRequestAsync(unsigned, cancellationToken: Ct))).Errors.Single().Code);
        Assert.Equal(21001, (await Assert.ThrowsAsync<KsefApiException>(() => client.Authentication.SubmitXadesAuthRequestAsync("<AuthTokenRequest", cancellationToken: Ct))).Errors.Single().Code);
    }

    [Theory]
    [InlineData("rsa", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256")]
    [InlineData("rsa", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmlenc#sha512")]
    [InlineData("rsa", "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", "http://www.w3.org/2001/04/xmlenc#sha256")]
    [InlineData("ecdsa", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256")]
    [InlineData("ecdsa", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#sha384")]
    [InlineData("ecdsa", "http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-256", "http://www.w3.org/2007/05/xmldsig-more#sha3-256")]
    public async Task AnyChecksumValidNipBecomesAContextWhenItsOwnerSignsWithAnyListedAlgorithm(string keyType, string signatureMethod, string digestMethod)
    {
        Assert.SkipWhen(signatureMethod.Contains("sha3", StringComparison.Ordinal) && !SHA3_256.IsSupported, "SHA-3 is not supported by this platform's crypto library.");
        var (client, handler) = KsefTestKit.Client(sandbox);
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        Assert.False(sandbox.Store.HasContext(nip));
        using var certificate = SelfSigned(keyType, $"CN=A R, G=A, SN=R, SERIALNUMBER=TINPL-{nip}, C=PL");
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(SignedAuthRequest(challenge.Challenge, nip, certificate, signatureMethod, digestMethod), cancellationToken: Ct);
        var status = await FinishAsync(client, handler, started);
        Assert.Equal(200, status.Status.Code);
        Assert.True(sandbox.Store.HasContext(nip));

        var tokens = await client.Authentication.RedeemTokenAsync(Ct);
        var payload = JwtPayload(tokens.AccessToken.Token);
        Assert.Equal(nip, payload.GetProperty("civ").GetString());
        Assert.Equal("QualifiedSignature", payload.GetProperty("aum").GetString());
        Assert.Contains("Owner", JsonSerializer.Deserialize<string[]>(payload.GetProperty("rol").GetString()!)!);
        // A new context has no history.
        handler.Token = tokens.AccessToken.Token;
        Assert.Empty((await client.SessionStatus.GetSessionsAsync(SessionType.Online, cancellationToken: Ct)).Sessions);
    }

    [Fact]
    public async Task SomebodyElsesCertificateWithoutPermissionsIsRefusedWith415()
    {
        var (client, handler) = KsefTestKit.Client(sandbox);
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        var stranger = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = SelfSigned("rsa", $"CN=A R, SERIALNUMBER=TINPL-{stranger}");
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(
            SignedAuthRequest(challenge.Challenge, nip, certificate, SignedXml.XmlDsigRSASHA256Url, SignedXml.XmlDsigSHA256Url), cancellationToken: Ct);
        Assert.Equal(415, (await FinishAsync(client, handler, started)).Status.Code);
        Assert.False(sandbox.Store.HasContext(nip));
    }

    private static X509Certificate2 SelfSigned(string keyType, string subject)
    {
        var now = DateTimeOffset.UtcNow;
        if (keyType == "ecdsa")
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return new CertificateRequest(subject, ec, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        }
        using var rsa = RSA.Create(2048);
        return new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    [Fact]
    public async Task PublicKeyCertificateIsTheKeyTheSandboxDecryptsWith()
    {
        var (client, _) = KsefTestKit.Client(sandbox);
        var published = Assert.Single(await client.PublicKeyCertificates.GetPublicKeyCertificatesAsync(Ct));
        using var certificate = X509CertificateLoader.LoadCertificate(published.Certificate);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.Equal(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()), published.PublicKeyId);
        Assert.Equal(SHA256.HashData(published.Certificate), published.CertificateId);
        Assert.Contains(PublicKeyCertificateUsage.KsefTokenEncryption, published.Usage);
        Assert.Contains(PublicKeyCertificateUsage.SymmetricKeyEncryption, published.Usage);
        Assert.True(published.ValidFrom < published.ValidTo);
    }

    private static System.Text.Json.JsonElement JwtPayload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part += new string('=', (4 - part.Length % 4) % 4);
        return System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(part)).RootElement;
    }

    internal static string SignedAuthRequest(string challenge, string nip, X509Certificate2 certificate) =>
        SignedAuthRequest(challenge, nip, certificate, SignedXml.XmlDsigRSASHA256Url, SignedXml.XmlDsigSHA256Url);

    internal static string SignedAuthRequest(string challenge, string nip, X509Certificate2 certificate, string signatureMethod, string digestMethod)
    {
        KsefGen.Runtime.Xades.XmlDsigAlgorithms.EnsureRegistered();
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml($"""<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0"><Challenge>{challenge}</Challenge><ContextIdentifier><Nip>{nip}</Nip></ContextIdentifier><SubjectIdentifierType>certificateSubject</SubjectIdentifierType></AuthTokenRequest>""");
        var signed = new SignedXml(document) { SigningKey = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey() };
        var reference = new Reference("") { DigestMethod = digestMethod };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        signed.SignedInfo!.SignatureMethod = signatureMethod;
        signed.SignedInfo.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        var info = new KeyInfo();
        info.AddClause(new KeyInfoX509Data(certificate));
        signed.KeyInfo = info;
        signed.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), true));
        return document.OuterXml;
    }
}
