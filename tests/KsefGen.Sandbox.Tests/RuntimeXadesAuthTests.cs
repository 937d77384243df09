using System.Text;
using System.Text.Json;
using KsefGen.Runtime.Auth;
using KsefGen.Sandbox.Tests.Client;

namespace KsefGen.Sandbox.Tests;

/// <summary>
/// The runtime's XAdES pieces against the sandbox: a test certificate from <see cref="KsefTestCertificates"/>, a
/// request from <see cref="KsefAuthTokenRequest"/>, signed by <see cref="KsefXadesSigner"/>, through the generated client.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class RuntimeXadesAuthTests(SandboxFixture sandbox)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(KsefKeyType.Rsa)]
    [InlineData(KsefKeyType.Ecdsa)]
    public async Task SealCertificateForAFreshNipAuthenticatesAsItsOwner(KsefKeyType keyType)
    {
        var (client, handler) = KsefTestKit.Client(sandbox);
        var nip = KsefGen.Sandbox.Identifiers.KsefIdentifiers.NewNip(Random.Shared);
        using var certificate = KsefTestCertificates.ForNip(nip, keyType);
        var challenge = await client.Authentication.GetAuthChallengeAsync(Ct);

        var signed = KsefXadesSigner.Sign(KsefAuthTokenRequest.Create(challenge.Challenge, KsefContextIdentifier.Nip(nip)), certificate);
        var started = await client.Authentication.SubmitXadesAuthRequestAsync(Encoding.UTF8.GetString(signed), cancellationToken: Ct);

        handler.Token = started.AuthenticationToken.Token;
        Assert.Equal(100, (await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct)).Status.Code);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        var status = await client.Authentication.GetAuthStatusAsync(started.ReferenceNumber, Ct);
        Assert.Equal(200, status.Status.Code);
        Assert.Equal(AuthenticationMethodCategory.XadesSignature, status.AuthenticationMethodInfo.Category);

        var tokens = await client.Authentication.RedeemTokenAsync(Ct);
        var payload = JwtPayload(tokens.AccessToken.Token);
        Assert.Equal(nip, payload.GetProperty("civ").GetString());
        Assert.Contains("Owner", JsonSerializer.Deserialize<string[]>(payload.GetProperty("rol").GetString()!)!);
        using var subject = JsonDocument.Parse(payload.GetProperty("sud").GetString()!);
        Assert.Equal(nip, subject.RootElement.GetProperty("subjectIdentifier").GetProperty("value").GetString());
    }

    private static JsonElement JwtPayload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part += new string('=', (4 - part.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(part)).RootElement;
    }
}
