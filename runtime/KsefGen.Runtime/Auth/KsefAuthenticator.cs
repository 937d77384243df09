using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Net.Http.Headers;
using System.Text;
using KsefGen.Runtime.Api;
using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Status;
using Microsoft.Extensions.Logging;

namespace KsefGen.Runtime.Auth;

/// <summary>
/// The KSeF authentication flow in one call: challenge → KSeF token (RSA-OAEP with the Ministry's current key) or a
/// signed XAdES <c>AuthTokenRequest</c> → poll <c>/auth/{reference}</c> with the authentication token until the
/// status is final → redeem → a <see cref="KsefTokenSession"/> that refreshes itself. A failure status ends in a
/// <see cref="KsefAuthenticationException"/> with the code's advice; an API error in a <see cref="KsefRequestException"/>.
/// </summary>
/// <remarks>
/// Give it a plain <see cref="HttpClient"/> (no bearer handler; retries are welcome) whose BaseAddress is the API
/// root, or set <see cref="KsefAuthenticatorOptions.BaseAddress"/>. The same client is kept by the returned session for
/// its refresh calls. When KSeF answers 21470 (it does not know the key the token was encrypted with) the public keys
/// are fetched again and the attempt repeated once, with a fresh challenge.
/// </remarks>
public sealed class KsefAuthenticator
{
    private readonly KsefCalls _calls;
    private readonly KsefAuthenticatorOptions _options;
    private readonly TimeProvider _clock;
    private readonly KsefPublicKeyCache _keys;

    /// <summary>Creates an authenticator.</summary>
    /// <param name="http">A plain client for the KSeF API. Not disposed.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public KsefAuthenticator(HttpClient http, KsefAuthenticatorOptions? options = null)
    {
        _options = options ?? new KsefAuthenticatorOptions();
        _calls = new KsefCalls(http, _options.BaseAddress);
        _clock = _options.TimeProvider ?? TimeProvider.System;
        _keys = _options.PublicKeys ?? new KsefPublicKeyCache(http, _calls.Root, _clock);
    }

    /// <summary>The public keys this authenticator encrypts with.</summary>
    public KsefPublicKeyCache PublicKeys => _keys;

    /// <summary>Authenticates with a KSeF token in the context of a NIP, in one call.</summary>
    /// <param name="http">A plain client whose BaseAddress is the API root.</param>
    /// <param name="nip">The context NIP.</param>
    /// <param name="ksefToken">The KSeF token (as generated in KSeF, or by <c>POST /tokens</c>).</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <returns>The token session.</returns>
    public static Task<KsefTokenSession> WithKsefTokenAsync(HttpClient http, string nip, string ksefToken, CancellationToken cancellationToken) =>
        new KsefAuthenticator(http).AuthenticateWithKsefTokenAsync(KsefContextIdentifier.Nip(nip), ksefToken, cancellationToken);

    /// <summary>Authenticates with a KSeF token.</summary>
    /// <param name="context">The context to act in.</param>
    /// <param name="ksefToken">The KSeF token.</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <returns>The token session.</returns>
    public async Task<KsefTokenSession> AuthenticateWithKsefTokenAsync(KsefContextIdentifier context, string ksefToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ksefToken);
        Validate(context);
        for (var attempt = 1; ; attempt++)
        {
            var challenge = await ChallengeAsync(cancellationToken).ConfigureAwait(false);
            var key = await _keys.GetAsync(KsefPublicKeyUsage.KsefTokenEncryption, cancellationToken).ConfigureAwait(false);
            var plain = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{ksefToken}|{challenge.TimestampMs}"));
            var request = new WireKsefTokenRequest(challenge.Challenge, Wire(context), key.Encrypt(plain), key.PublicKeyId, Policy());
            try
            {
                var started = await _calls.SendAsync(HttpMethod.Post, "auth/ksef-token", request, KsefWireJson.Default.WireKsefTokenRequest,
                    KsefWireJson.Default.WireAuthInit, null, cancellationToken).ConfigureAwait(false);
                return await FinishAsync(started, cancellationToken).ConfigureAwait(false);
            }
            catch (KsefRequestException e) when (e.ExceptionCode == 21470 && attempt == 1)
            {
                Log("KSeF does not know public key {KeyId}; fetching the public key certificates again", Convert.ToBase64String(key.PublicKeyId ?? []));
                _keys.Invalidate();
            }
        }
    }

    /// <summary>Authenticates with a certificate (XAdES) in the context of a NIP, in one call.</summary>
    /// <param name="http">A plain client whose BaseAddress is the API root.</param>
    /// <param name="nip">The context NIP.</param>
    /// <param name="certificate">The signing certificate with its private key (RSA or ECDSA), e.g. from
    /// <see cref="KsefXadesSigner.LoadCertificate"/>, <see cref="KsefXadesSigner.FindInStore"/> or
    /// <see cref="KsefTestCertificates.ForNip"/>.</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <returns>The token session.</returns>
    [RequiresUnreferencedCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    [RequiresDynamicCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    public static Task<KsefTokenSession> WithCertificateAsync(HttpClient http, string nip, X509Certificate2 certificate, CancellationToken cancellationToken) =>
        new KsefAuthenticator(http).AuthenticateWithCertificateAsync(KsefContextIdentifier.Nip(nip), certificate, KsefSubjectIdentifierType.CertificateSubject, cancellationToken);

    /// <summary>
    /// Authenticates with a certificate: builds the <c>AuthTokenRequest</c> for a fresh challenge, signs it (XAdES-BES,
    /// enveloped; RSA or ECDSA), submits it, waits for the status and redeems the tokens.
    /// </summary>
    /// <param name="context">The context to act in.</param>
    /// <param name="certificate">The signing certificate with its private key.</param>
    /// <param name="subjectIdentifierType">Whether KSeF identifies the subject by the identifier in the certificate or by its fingerprint.</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <returns>The token session.</returns>
    [RequiresUnreferencedCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    [RequiresDynamicCode("XML signing (SignedXml) creates algorithm types by reflection.")]
    public Task<KsefTokenSession> AuthenticateWithCertificateAsync(KsefContextIdentifier context, X509Certificate2 certificate,
        KsefSubjectIdentifierType subjectIdentifierType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Validate(context);
        var addresses = _options.AllowedIps.Where(ip => !ip.Contains('-', StringComparison.Ordinal) && !ip.Contains('/', StringComparison.Ordinal)).ToList();
        if (addresses.Count != _options.AllowedIps.Count)
        {
            throw new NotSupportedException("The XAdES request carries IPv4 addresses only; ranges and masks are supported with KSeF tokens.");
        }
        return AuthenticateWithSignedRequestAsync((challenge, _) => ValueTask.FromResult(KsefXadesSigner.Sign(
            KsefAuthTokenRequest.Create(challenge, context, subjectIdentifierType, addresses.Count > 0 ? addresses : null), certificate, _clock)), cancellationToken);
    }

    /// <summary>
    /// Authenticates with an <c>AuthTokenRequest</c> signed elsewhere (a qualified signature or seal, an HSM): the
    /// delegate gets the challenge and returns the signed XML document as UTF-8 bytes.
    /// </summary>
    /// <param name="sign">Builds and signs the request for a challenge.</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <returns>The token session.</returns>
    public async Task<KsefTokenSession> AuthenticateWithSignedRequestAsync(Func<string, CancellationToken, ValueTask<byte[]>> sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var challenge = await ChallengeAsync(cancellationToken).ConfigureAwait(false);
        var signed = await sign(challenge.Challenge, cancellationToken).ConfigureAwait(false);
        var content = new ByteArrayContent(signed);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        var path = _options.VerifyCertificateChain is { } verify
            ? $"auth/xades-signature?verifyCertificateChain={(verify ? "true" : "false")}"
            : "auth/xades-signature";
        var started = await _calls.SendContentAsync(HttpMethod.Post, path, content, KsefWireJson.Default.WireAuthInit, null, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(started, cancellationToken).ConfigureAwait(false);
    }

    private async Task<WireChallenge> ChallengeAsync(CancellationToken cancellationToken)
    {
        var challenge = await _calls.SendAsync<object, WireChallenge>(HttpMethod.Post, "auth/challenge", null, null, KsefWireJson.Default.WireChallenge, null, cancellationToken)
            .ConfigureAwait(false);
        Log("KSeF authentication challenge {Challenge} received", challenge.Challenge);
        return challenge;
    }

    private async Task<KsefTokenSession> FinishAsync(WireAuthInit started, CancellationToken cancellationToken)
    {
        var reference = started.ReferenceNumber;
        var bearer = started.AuthenticationToken.Token;
        Log("KSeF authentication {Reference} started; waiting for its status", reference);
        var polling = _options.Polling;
        var progress = new KsefPollLogger(_options.Logger, "authentication " + reference, _options.Progress);
        var final = await KsefStatusPoller.WaitForAsync(
            ct => _calls.GetAsync($"auth/{Uri.EscapeDataString(reference)}", KsefWireJson.Default.WireAuthStatus, bearer, ct),
            s => s.Status.Code, polling, progress, cancellationToken).ConfigureAwait(false);
        if (final.Status.Code != 200)
        {
            throw new KsefAuthenticationException(reference, final.Status.Code, final.Status.Description, final.Status.Details ?? []);
        }
        var tokens = await _calls.SendAsync<object, WireTokens>(HttpMethod.Post, "auth/token/redeem", null, null, KsefWireJson.Default.WireTokens, bearer, cancellationToken)
            .ConfigureAwait(false);
        Log("KSeF authentication {Reference} succeeded; access token valid until {ValidUntil:u}", reference, tokens.AccessToken.ValidUntil);
        return new KsefTokenSession(_calls.Http, KsefEnvironment.Custom(_calls.Root),
            new KsefToken(tokens.AccessToken.Token, tokens.AccessToken.ValidUntil),
            new KsefToken(tokens.RefreshToken.Token, tokens.RefreshToken.ValidUntil),
            _clock);
    }

    private WireAuthorizationPolicy? Policy()
    {
        if (_options.AllowedIps.Count == 0) return null;
        var ranges = _options.AllowedIps.Where(ip => ip.Contains('-', StringComparison.Ordinal)).ToList();
        var masks = _options.AllowedIps.Where(ip => ip.Contains('/', StringComparison.Ordinal)).ToList();
        var addresses = _options.AllowedIps.Except(ranges).Except(masks).ToList();
        return new WireAuthorizationPolicy(new WireAllowedIps(
            addresses.Count > 0 ? addresses : null, ranges.Count > 0 ? ranges : null, masks.Count > 0 ? masks : null));
    }

    private static WireContextIdentifier Wire(KsefContextIdentifier context) => new(context.Type.ToString(), context.Value);

    private static void Validate(KsefContextIdentifier context)
    {
        if (string.IsNullOrWhiteSpace(context.Value))
        {
            throw new ArgumentException("The context identifier has no value.", nameof(context));
        }
    }

    private void Log(string message, params object?[] args)
    {
#pragma warning disable CA2254 // the templates are constants of this class
        _options.Logger?.LogInformation(message, args);
#pragma warning restore CA2254
    }
}
